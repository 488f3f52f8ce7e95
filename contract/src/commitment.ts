import { createHmac } from 'node:crypto';
import { canonicalContent, type Content } from './canonical-content';
import { HEX_256_PATTERN } from './records/fields';

/** The prefix of every content commitment on the ledger (docs/data-model.md). */
export const COMMITMENT_PREFIX = 'hmac-sha256:';

/**
 * The per-record salt: HMAC-SHA256(key, UTF-8 record id), where `key` is the subject's key when the
 * record names a subject and the org's content key otherwise. Disclosing it lets someone verify this
 * one record's commitments and no other record's (every record id gives an unrelated salt).
 *
 * @param keyHex the subject key or org content key, 64 lowercase hex characters
 * @param recordId the interaction id
 * @returns the 32-byte salt
 */
export function recordSalt(keyHex: string, recordId: string): Buffer {
  return createHmac('sha256', keyBytes(keyHex)).update(recordId, 'utf8').digest();
}

/**
 * The commitment to one piece of content: `hmac-sha256:` + hex HMAC-SHA256(salt, canonical content).
 *
 * @param salt the record's salt ({@link recordSalt}, or a disclosed salt)
 * @param content text or chat messages, canonicalised by {@link canonicalContent}
 */
export function contentCommitment(salt: Buffer, content: Content): string {
  return `${COMMITMENT_PREFIX}${createHmac('sha256', salt).update(canonicalContent(content)).digest('hex')}`;
}

/** A 64-hex key as bytes; refuses anything else (used by this file and reference-commitment.ts). */
export function keyBytes(keyHex: string): Buffer {
  // A malformed key would silently give a different HMAC; it can only come from a broken ledger answer.
  if (!HEX_256_PATTERN.test(keyHex)) throw new Error('a content key must be 64 lowercase hex characters');
  return Buffer.from(keyHex, 'hex');
}
