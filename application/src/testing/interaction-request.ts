/** Content the tests record and then make sure never reaches the ledger or a log line. */
export const TEST_PROMPT = 'Patient 4711: summarise the discharge letter';

/**
 * A valid body for `POST …/interactions` (one record with its prompt as content) for unit tests;
 * `extra` replaces or adds fields.
 */
export function interactionRequest(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10, outputTokens: 5, source: 'provider' },
    cost: { status: 'priced', amountMinor: 3, currency: 'EUR' },
    latencyMs: 900,
    status: 'ok',
    applicationId: 'discharge-assistant',
    prompt: TEST_PROMPT,
    ...extra,
  };
}
