import { createHmac } from 'node:crypto';
import { COMMITMENT_PATTERN, ID_PATTERN } from './records/fields';
import { COMMITTED_REFERENCE_FIELDS, referenceCommitment } from './reference-commitment';

const KEY = 'ab'.repeat(32);
const OTHER_KEY = 'cd'.repeat(32);

describe('referenceCommitment', () => {
  it('is HMAC-SHA256 under a per-field key derived from the org key, in the ledger commitment format', () => {
    const fieldKey = createHmac('sha256', Buffer.from(KEY, 'hex')).update('aal/reference-commitment/actorRef').digest();
    const expected = createHmac('sha256', fieldKey).update('Jane Doe', 'utf8').digest('hex');
    expect(referenceCommitment(KEY, 'actorRef', 'Jane Doe')).toBe(`hmac-sha256:${expected}`);
    expect(referenceCommitment(KEY, 'actorRef', 'Jane Doe')).toMatch(COMMITMENT_PATTERN);
  });

  it('is stable for one key and value, and differs per value, per field and per org key', () => {
    const actor = referenceCommitment(KEY, 'actorRef', 'nurse-17');
    expect(referenceCommitment(KEY, 'actorRef', 'nurse-17')).toBe(actor);
    expect(referenceCommitment(KEY, 'actorRef', 'nurse-18')).not.toBe(actor);
    expect(referenceCommitment(KEY, 'tags', 'nurse-17')).not.toBe(actor);
    expect(referenceCommitment(KEY, 'conversationId', 'nurse-17')).not.toBe(actor);
    expect(referenceCommitment(OTHER_KEY, 'actorRef', 'nurse-17')).not.toBe(actor);
  });

  it('derives field keys from labels no record id can be, so no disclosed record salt is a field key', () => {
    for (const field of COMMITTED_REFERENCE_FIELDS)
      expect(ID_PATTERN.test(`aal/reference-commitment/${field}`)).toBe(false);
  });

  it('refuses a malformed key instead of committing under another one', () => {
    expect(() => referenceCommitment('short', 'actorRef', 'x')).toThrow('64 lowercase hex');
  });
});
