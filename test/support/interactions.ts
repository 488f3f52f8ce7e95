/**
 * The smallest real write and read of the REST API — record an interaction, read it back — for
 * tests about the network and the app's infrastructure rather than about interactions themselves.
 */

/** A stored interaction as the app returns it: the request's fields plus what the ledger adds. */
export interface StoredInteraction {
  readonly id: string;
  readonly org: string;
  readonly recordedBy: string;
  readonly txId: string;
  readonly txTime: string;
  readonly [field: string]: unknown;
}

/** `POST …/interactions`'s 201 answer. */
export interface RecordedInteraction {
  readonly interaction: StoredInteraction;
  readonly transactionId: string;
}

/** The channel's interactions collection, or one record in it. */
export function interactionsPath(channel: string, id?: string): string {
  return `/api/v1/channels/${channel}/interactions${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
}

/**
 * A valid interaction request with only required fields and a precomputed prompt commitment (so
 * no content and no org keys are involved); `extra` adds or overrides fields.
 */
export function interactionRequest(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    startTime: '2026-01-31T12:00:00Z',
    endTime: '2026-01-31T12:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    applicationId: 'integration-tests',
    usage: { inputTokens: 12, outputTokens: 5, source: 'provider' },
    cost: { status: 'unpriced' },
    latencyMs: 1000,
    status: 'ok',
    promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
    ...extra,
  };
}

/** POSTs `body` to an app's interactions on `channel` with the given headers (e.g. a bearer key). */
export function postInteraction(
  url: string,
  channel: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<Response> {
  return fetch(`${url}${interactionsPath(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
