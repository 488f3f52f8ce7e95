import { createHash } from 'node:crypto';
import { referenceCommitment } from '@aal/ledger-contract';

/** The content key the records' references are committed with when a run needs no particular org's key. */
const BENCH_ORG_KEY = 'be'.repeat(32);

/**
 * A realistic, valid interaction record (see docs/chaincode-api.md) with a unique id. Content
 * commitments are derived from the id so records differ without needing the app's keys; actor,
 * conversation and tag are keyed commitments under `orgKey` (the org's content key when the run
 * queries them through the org's app, which commits a queried actor with that key).
 */
export function interactionRecord(
  id: string,
  startTime = '2026-11-01T10:00:00.000Z',
  orgKey = BENCH_ORG_KEY,
): Record<string, unknown> {
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
    actorRef: referenceCommitment(orgKey, 'actorRef', 'actor-7f3a'),
    applicationId: 'radiology-assistant',
    conversationId: referenceCommitment(orgKey, 'conversationId', `conv-${id.length % 17}`),
    promptCommitment: commit('prompt'),
    outputCommitment: commit('output'),
    tags: [referenceCommitment(orgKey, 'tags', 'benchmark')],
  };
}

/**
 * The same record as a client sends it to the REST app: the references in clear (the app commits
 * them under its org's content key; it refuses commitment-format tags, which exceed a tag's length).
 */
export function restInteractionRecord(id: string): Record<string, unknown> {
  return {
    ...interactionRecord(id),
    actorRef: 'actor-7f3a',
    conversationId: `conv-${id.length % 17}`,
    tags: ['benchmark'],
  };
}
