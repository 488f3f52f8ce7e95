import { ValidationError } from '@aal/ledger-contract';

/** Keys that could reach an object's prototype if a client sent them; always refused. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const QUOTED_FORBIDDEN_KEYS = [...FORBIDDEN_KEYS].map((key) => JSON.stringify(key));

/**
 * Whether the text may hold a forbidden key. Such a key is spelled either literally in quotes or
 * with `\u` escapes (no other JSON escape decodes to a letter or `_`), so text with neither cannot;
 * it is then parsed without a reviver, which costs a large share of the parse.
 */
function mayHoldForbiddenKey(text: string): boolean {
  return text.includes('\\u') || QUOTED_FORBIDDEN_KEYS.some((quoted) => text.includes(quoted));
}

/**
 * Parses a transaction argument that carries JSON, refusing oversized input, malformed JSON and
 * prototype-polluting keys at any depth, with the argument's name in the error.
 *
 * @param maxBytes the argument's limit from `LIMITS`
 */
export function parseJsonArgument(name: string, text: string, maxBytes: number): unknown {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new ValidationError([{ path: name, rule: `must be at most ${maxBytes} bytes of JSON` }]);
  }
  let forbidden: string | undefined;
  let value: unknown;
  try {
    value = mayHoldForbiddenKey(text)
      ? JSON.parse(text, (key, child: unknown) => {
          if (FORBIDDEN_KEYS.has(key)) forbidden = key;
          return child;
        })
      : JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: name, rule: 'must be valid JSON' }]);
  }
  if (forbidden !== undefined) {
    throw new ValidationError([{ path: name, rule: `must not contain the key '${forbidden}'` }]);
  }
  return value;
}
