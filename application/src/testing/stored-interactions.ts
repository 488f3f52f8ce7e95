/** Stored interaction records as the chaincode writes them, for block-level tests of the audit index. */

/** A single-recorded interaction of HospitalA (priced, 10 + 2 tokens), with `extra` fields replaced. */
export function storedInteraction(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    org: 'HospitalAMSP',
    recordedBy: 'app-recorder',
    txId: 't'.repeat(64),
    txTime: '2026-01-01T00:00:00.000Z',
    startTime: '2026-01-01T00:00:00Z',
    endTime: '2026-01-01T00:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10, outputTokens: 2, source: 'provider' },
    cost: { status: 'priced', amountMinor: 3, currency: 'EUR' },
    latencyMs: 10,
    status: 'ok',
    applicationId: 'app-1',
    promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
    ...extra,
  };
}

/** The same record as a Merkle batch leaf holds it: without what the batch header states once. */
export function batchLeaf(id: string): Record<string, unknown> {
  const { org: _org, recordedBy: _by, txId: _tx, txTime: _time, ...input } = storedInteraction(id);
  return input;
}

/** A batch header of HospitalA (its txId is the batch id). */
export const TEST_BATCH = {
  batchId: 'b'.repeat(64),
  org: 'HospitalAMSP',
  recordedBy: 'app-recorder',
  txTime: '2026-01-02T00:00:00.000Z',
} as const;
