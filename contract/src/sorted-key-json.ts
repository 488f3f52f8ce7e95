/**
 * Deterministic JSON: object keys sorted at every depth, no whitespace. Every endorsing peer must
 * produce byte-identical state for the same transaction, whatever order a client sent fields in.
 *
 * @example
 * sortedKeyJson({ b: 1, a: [{ d: 2, c: 3 }] }) // '{"a":[{"c":3,"d":2}],"b":1}'
 */
export function sortedKeyJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

const computed = new WeakMap<object, string>();

/**
 * {@link sortedKeyJson} of an object that is never changed afterwards (a validated input record),
 * computed once however often it is asked for: a batch needs each record's canonical JSON for its
 * size check, its Merkle leaf and its stored entry.
 */
export function sortedKeyJsonOnce(value: object): string {
  let json = computed.get(value);
  if (json === undefined) {
    json = sortedKeyJson(value);
    computed.set(value, json);
  }
  return json;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}
