import { recordId } from './fields';
import { ORG_NAMESPACE_SEPARATOR, orgNamespaceOf, orgNamespaced } from './org-namespace';

/**
 * Record ids (interactions — alone, gathered or batched —, annotations, consents, artifacts,
 * training runs) are org-namespaced like subject references: `<MSP id>:<local>`, the namespace
 * being the MSP id of the org that creates the record. Ids were one channel-wide namespace, so a
 * member that saw or guessed another org's id first could take it and make that org's own write a
 * `CONFLICT`; with the namespace in the id, every endorsing peer judges who may create it from the
 * id and the certificate alone. A reference to a record (`consentId`, `consentIds`,
 * `modelArtifactId`, `datasetArtifactIds`, `parents`) is such a qualified id and names exactly the
 * record with that id.
 */

/** The org whose namespace a record id is in, or `undefined` for an id in no namespace. */
export function recordIdOwnerOf(id: string): string | undefined {
  return orgNamespaceOf(id);
}

/** The field-violation rule for a new record id not in the creating org's namespace. */
export function ownRecordIdRule(mspId: string): string {
  return `must be in the caller's namespace ('${mspId}${ORG_NAMESPACE_SEPARATOR}…')`;
}

/**
 * For clients: `id` as the qualified id it names for an org. An id without a namespace ("a bare
 * id") names that org's record and gets its namespace; an id with one is kept as it is.
 *
 * @example
 * qualifiedRecordId('HospitalAMSP', 'i-1')              // 'HospitalAMSP:i-1'
 * qualifiedRecordId('HospitalAMSP', 'AIProviderMSP:m-1') // 'AIProviderMSP:m-1'
 */
export function qualifiedRecordId(mspId: string, id: string): string {
  return recordIdOwnerOf(id) === undefined ? orgNamespaced(mspId, id) : id;
}

/**
 * The id of a record being created: `ID_PATTERN` (at most 128 characters, the namespace and
 * its `:` included, so the local part has 128 − length(MSP id) − 1) in the creating org's namespace,
 * which the chaincode checks against the caller's certificate.
 */
export const newRecordId = (what = 'client-chosen id') =>
  recordId().describe(
    `${what} in the creating org's namespace, '<MSP id>:<local>' (at most 128 characters in all, namespace included); the idempotency key`,
  );
