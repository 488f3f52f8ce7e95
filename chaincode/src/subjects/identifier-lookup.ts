import { createHmac } from 'node:crypto';

/**
 * The lookup key of a real identifier: HMAC-SHA256 keyed with the org's secret pepper, hex.
 * Private-data keys reach every peer's blocks as SHA-256 hashes; a bare hash of an identifier
 * could be confirmed by guessing, this cannot without the pepper. Deterministic, so every
 * endorsement of the org computes the same key. The identifier is NFC-normalised first so that
 * the same text typed with different Unicode compositions finds the same subject.
 *
 * @example
 * identifierLookupKey('00'.repeat(32), 'MRN-0042') // 64 hex characters
 */
export function identifierLookupKey(lookupPepperHex: string, identifier: string): string {
  return createHmac('sha256', Buffer.from(lookupPepperHex, 'hex'))
    .update(identifier.normalize('NFC'), 'utf8')
    .digest('hex');
}
