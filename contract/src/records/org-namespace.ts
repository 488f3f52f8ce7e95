/**
 * Names that belong to one org: `<MSP id>:<local part>`. Subject references (`HospitalAMSP:sub_…`)
 * and application grantees (`HospitalAMSP:triage-app`) are namespaced this way, so who owns a name
 * follows from the name itself and every endorsing peer can judge it without trusting anyone's
 * state or word.
 */
export const ORG_NAMESPACE_SEPARATOR = ':';

/** `<mspId>:<local>`, e.g. `orgNamespaced('HospitalAMSP', 'triage-app')` → `HospitalAMSP:triage-app`. */
export function orgNamespaced(mspId: string, local: string): string {
  return `${mspId}${ORG_NAMESPACE_SEPARATOR}${local}`;
}

/**
 * The org a namespaced name belongs to: everything before its first `:`, or `undefined` when it has
 * none (or nothing before it). Exactly one org owns each namespaced name.
 *
 * @example
 * orgNamespaceOf('HospitalAMSP:sub_00ff') // 'HospitalAMSP'
 * orgNamespaceOf('s-1')                   // undefined
 */
export function orgNamespaceOf(name: string): string | undefined {
  const end = name.indexOf(ORG_NAMESPACE_SEPARATOR);
  return end > 0 ? name.slice(0, end) : undefined;
}
