import { createHmac } from 'node:crypto';
import { COMMITMENT_PREFIX, keyBytes } from './commitment';

/**
 * The interaction fields that name people or their conversations: on the ledger each holds a keyed
 * commitment (`hmac-sha256:` + 64 hex), never the clear value. The recording org's app computes it
 * with {@link referenceCommitment}; the chaincode refuses anything that is not a commitment.
 */
export const COMMITTED_REFERENCE_FIELDS = ['actorRef', 'conversationId', 'tags'] as const;
export type CommittedReferenceField = (typeof COMMITTED_REFERENCE_FIELDS)[number];

/**
 * The key of one field's commitments: HMAC-SHA256(org content key, `aal/reference-commitment/<field>`).
 * The label holds a `/`, which no record id does, so it is never a record's salt (those are
 * HMAC(content key, record id) and may be disclosed); one key per field keeps an actor's and a
 * tag's commitments unrelated even for equal clear values.
 */
function fieldKey(orgKeyHex: string, field: CommittedReferenceField): Buffer {
  return createHmac('sha256', keyBytes(orgKeyHex)).update(`aal/reference-commitment/${field}`, 'utf8').digest();
}

/**
 * The commitment the ledger stores for a clear `actorRef`, `conversationId` or tag:
 * `hmac-sha256:` + hex HMAC-SHA256(field key, UTF-8 value). Only the org holding the content key can
 * compute it (or test a guessed name against it); it is the same for the same value on one channel,
 * so the org can still query and group by it.
 *
 * @param orgKeyHex the recording org's content key on the channel, 64 lowercase hex characters
 * @param field which field the value is for
 * @param value the clear value as the org's client sent it
 * @example
 * referenceCommitment(contentKey, 'actorRef', 'nurse-17') // 'hmac-sha256:3f0c…'
 */
export function referenceCommitment(orgKeyHex: string, field: CommittedReferenceField, value: string): string {
  return `${COMMITMENT_PREFIX}${createHmac('sha256', fieldKey(orgKeyHex, field)).update(value, 'utf8').digest('hex')}`;
}
