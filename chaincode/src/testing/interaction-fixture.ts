import { referenceCommitment, type CommittedReferenceField } from '@aal/ledger-contract';

/** A commitment in the right format (its value means nothing), for records in unit tests. */
export const TEST_COMMITMENT = `hmac-sha256:${'d'.repeat(64)}`;

/** An org content key for unit tests (the ledger never sees one: apps commit with their own). */
const TEST_ORG_KEY = 'ab'.repeat(32);

/**
 * The keyed commitment an org's app stores for a clear `actorRef`, `conversationId` or tag, under a
 * fixed test key: what the ledger takes in those fields.
 *
 * @example
 * interactionInput('HospitalAMSP:i-1', { actorRef: testReference('actorRef', 'actor-1') })
 */
export function testReference(field: CommittedReferenceField, value: string): string {
  return referenceCommitment(TEST_ORG_KEY, field, value);
}

/**
 * A minimal valid interaction record (docs/chaincode-api.md) for unit tests; `overrides` replace or
 * add fields.
 */
export function interactionInput(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10, outputTokens: 5, source: 'provider' },
    cost: { status: 'priced', amountMinor: 3, currency: 'EUR' },
    latencyMs: 1000,
    status: 'ok',
    applicationId: 'triage-app',
    promptCommitment: TEST_COMMITMENT,
    ...overrides,
  };
}
