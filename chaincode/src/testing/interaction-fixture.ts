/** A commitment in the right format (its value means nothing), for records in unit tests. */
export const TEST_COMMITMENT = `hmac-sha256:${'d'.repeat(64)}`;

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
