import { createHash } from 'node:crypto';

/**
 * A realistic, valid interaction record (see docs/chaincode-api.md) with a unique id. Commitments
 * are derived from the id so records differ without needing the app's keys.
 */
export function interactionRecord(id: string, startTime = '2026-11-01T10:00:00.000Z'): Record<string, unknown> {
  const commit = (what: string): string => `hmac-sha256:${createHash('sha256').update(`${what}:${id}`).digest('hex')}`;
  return {
    id,
    startTime,
    endTime: '2026-11-01T10:00:01.250Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o-2024-08-06',
    responseModel: 'gpt-4o-2024-08-06',
    responseId: `chatcmpl-${id}`,
    usage: { inputTokens: 1200, outputTokens: 350, cacheReadTokens: 0, source: 'provider' },
    cost: { status: 'priced', amountMinor: 1275, currency: 'EUR', priceTableVersion: '2026-10' },
    latencyMs: 1250,
    status: 'ok',
    finishReasons: ['stop'],
    actorRef: 'actor-7f3a',
    applicationId: 'radiology-assistant',
    conversationId: `conv-${id.length % 17}`,
    promptCommitment: commit('prompt'),
    outputCommitment: commit('output'),
    tags: ['benchmark'],
  };
}
