import { randomUUID } from 'node:crypto';
import { interactionFields } from '@aal/ledger-contract';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { keyOfStoredRecord } from '../http/routes/content-commitment';
import { HttpProblem } from '../http/problem';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import type { OwnRecordIds } from '../records/own-record-ids';
import type { SubjectKeys } from '../subjects/subject-keys';
import { callRecord, type FinishedCall } from './call-record';
import { CALL_HEADERS, callReferences, type CallReferences } from './call-headers';
import type { ConsentGate } from './consent-gate';
import type { GatewayConfig } from './gateway-config';
import type { GatewayMetrics } from './gateway-metrics';
import type { OutboxShipper } from './outbox-shipper';
import { answerFacts, answerOutput, requestPrompt, type GatewayOperation } from './provider-answer';
import { OutboxFullError, OutboxUnavailableError, type OutboxReservation, type RecordOutbox } from './record-outbox';
import { relayEventStream } from './stream-relay';
import { PASSED_RESPONSE_HEADERS, routeModel, upstreamHeaders, type Route } from './upstream';
import { postUpstream, type UpstreamAnswer } from './upstream-request';

/** What a model call needs from the gateway. */
export interface ModelCallDeps {
  readonly config: GatewayConfig;
  readonly ids: OwnRecordIds;
  /** The org's recorder: reads record keys and consent verdicts. */
  readonly ledger: LedgerClient;
  readonly subjectKeys: SubjectKeys;
  readonly outbox: RecordOutbox;
  readonly shipper: OutboxShipper;
  readonly consent: ConsentGate;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

/** The upstream path of each recorded operation (after the provider's base URL). */
export const OPERATION_PATHS: Readonly<Record<GatewayOperation, string>> = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  responses: '/responses',
};

type Json = Record<string, unknown>;

/** The request body as JSON, with a routable model. */
function parsedBody(raw: unknown): { body: Json; model: string } {
  let body: unknown;
  try {
    body = Buffer.isBuffer(raw) && raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpProblem(400, 'Malformed JSON', 'the request body must be a JSON object', {
      errors: [{ field: '', message: 'not a JSON object' }],
    });
  const model = interactionFields.requestModel.safeParse((body as Json).model);
  if (!model.success)
    throw new HttpProblem(400, 'Invalid request', 'the body names no valid model', {
      errors: [{ field: 'model', message: model.error.issues[0]?.message ?? 'is required' }],
    });
  return { body: body as Json, model: model.data };
}

/**
 * One model call through the gateway, from the checks to the durable record: headers and body
 * checked (400), model routed (404), outbox bound and alive (503), record key found (422), consent (`enforce`:
 * 403, refusal recorded) — all before anything goes upstream; then the call, passed through; then
 * the record, appended to the outbox before the client's answer completes.
 */
export async function handleModelCall(
  deps: ModelCallDeps,
  operation: GatewayOperation,
  applicationId: string,
  req: Request,
  res: Response,
): Promise<void> {
  const { config, outbox } = deps;
  const startMs = Date.now();
  const raw = callReferences(req.headers);
  const references: CallReferences = {
    ...raw,
    ...(raw.consentId === undefined ? {} : { consentId: deps.ids.id(raw.consentId) }),
  };
  const { body, model } = parsedBody(req.body);
  const settings = config.applications[applicationId] ?? config.defaults;
  if (settings.consentMode === 'enforce' && (references.subjectRef === undefined || references.purpose === undefined))
    throw new HttpProblem(
      400,
      'Invalid request headers',
      `application '${applicationId}' is in consent mode enforce: name the subject and the purpose`,
      {
        errors: [
          ...(references.subjectRef === undefined
            ? [{ field: CALL_HEADERS.subjectRef, message: 'is required in consent mode enforce' }]
            : []),
          ...(references.purpose === undefined
            ? [{ field: CALL_HEADERS.purpose, message: 'is required in consent mode enforce' }]
            : []),
        ],
      },
    );
  const route = routeModel(config, model);
  let place: OutboxReservation;
  try {
    place = outbox.reserve();
  } catch (error) {
    if (error instanceof OutboxUnavailableError)
      throw new HttpProblem(
        503,
        'Outbox unavailable',
        'the gateway cannot make records durable now, so it makes no calls; see /readyz',
        {},
        { 'Retry-After': '5' },
      );
    if (!(error instanceof OutboxFullError)) throw error;
    throw new HttpProblem(
      503,
      'Outbox full',
      'the gateway holds as many unrecorded calls as it may; try again later',
      {},
      { 'Retry-After': '5' },
    );
  }
  try {
    await admittedCall(deps, {
      operation,
      applicationId,
      req,
      res,
      startMs,
      references,
      body,
      model,
      settings,
      route,
      place,
    });
  } finally {
    place.release(); // a call refused before it recorded anything gives its place back
  }
}

/** The rest of {@link handleModelCall} for a call that holds its outbox place. */
async function admittedCall(
  deps: ModelCallDeps,
  call: {
    readonly operation: GatewayOperation;
    readonly applicationId: string;
    readonly req: Request;
    readonly res: Response;
    readonly startMs: number;
    readonly references: CallReferences;
    readonly body: Json;
    readonly model: string;
    readonly settings: GatewayConfig['defaults'];
    readonly route: Route;
    readonly place: OutboxReservation;
  },
): Promise<void> {
  const { config } = deps;
  const { operation, applicationId, req, res, startMs, references, body, model, settings, route, place } = call;
  const channel = settings.channel;
  const key = await keyOfStoredRecord(deps.subjectKeys, deps.ledger, channel, references.subjectRef);
  if (key === 'erased')
    throw new HttpProblem(422, 'Subject erased', 'the subject was erased: its data may not be used', {
      errors: [{ field: CALL_HEADERS.subjectRef, message: 'names an erased subject' }],
    });
  // actorRef and conversationId reach the ledger only as keyed commitments under the org's content key.
  const orgKeyHex =
    references.actorRef === undefined && references.conversationId === undefined
      ? undefined
      : await deps.subjectKeys.orgContentKey(deps.ledger, channel);
  const prompt = requestPrompt(operation, body);
  const id = deps.ids.id(`gw-${randomUUID()}`);
  const base = {
    id,
    applicationId,
    provider: route.provider,
    operation,
    requestModel: model,
    references,
    startMs,
    prompt,
  };
  const record = async (call: Omit<FinishedCall, keyof typeof base | 'endMs'>): Promise<void> => {
    const finished: FinishedCall = { ...base, ...call, endMs: Date.now() };
    await place.append({
      id,
      channel,
      record: JSON.stringify(callRecord(finished, config.priceTable, key.keyHex, orgKeyHex)),
      createdMs: startMs,
    });
    deps.shipper.notify();
    deps.metrics.calls.inc({
      operation,
      outcome: call.errorType === undefined ? 'ok' : call.errorType === 'consent_refused' ? 'refused' : 'error',
    });
  };

  if (settings.consentMode === 'enforce') {
    const question = {
      channel,
      subjectRef: references.subjectRef ?? '',
      purpose: references.purpose ?? '',
      applicationId,
    };
    let verdict;
    try {
      verdict = await deps.consent.check(question);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      // Fail closed: no verdict, no call.
      await record({ facts: {}, errorType: 'consent_unavailable', estimate: { outputChars: 0, nothingSent: true } });
      throw new HttpProblem(
        503,
        'Consent unavailable',
        'the ledger could not be asked about consent, so the call was not made',
        {},
        { 'Retry-After': '5' },
      );
    }
    if (!verdict.allowed) {
      await record({ facts: {}, errorType: 'consent_refused', estimate: { outputChars: 0, nothingSent: true } });
      throw new HttpProblem(403, 'Consent refused', `no active consent allows this use: ${verdict.reason}`, {
        reason: verdict.reason,
        interactionId: id,
      });
    }
  }

  const streamed = body.stream === true;
  let upstreamBody: string | Buffer = req.body as Buffer;
  let stripUsageChunk = false;
  if (streamed && operation === 'chat') {
    const options =
      typeof body.stream_options === 'object' && body.stream_options !== null ? (body.stream_options as Json) : {};
    if (options.include_usage !== true) {
      // The protocol's only way to get a stream's usage; the extra chunk is not shown to the client.
      stripUsageChunk = true;
      upstreamBody = JSON.stringify({ ...body, stream_options: { ...options, include_usage: true } });
    }
  }
  const clientGone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) clientGone.abort();
  });

  let upstream: UpstreamAnswer;
  try {
    upstream = await postUpstream(
      `${route.baseUrl}${OPERATION_PATHS[operation]}`,
      upstreamHeaders(route),
      upstreamBody,
      clientGone.signal,
    );
  } catch (error) {
    if (error instanceof HttpProblem) throw error;
    const gone = clientGone.signal.aborted;
    await record({
      facts: {},
      errorType: gone ? 'client_cancelled' : 'upstream_unreachable',
      estimate: { outputChars: 0 },
    });
    if (gone) return;
    deps.logger.warn({ provider: route.provider, err: { message: String(error) } }, 'ai gateway: upstream unreachable');
    throw new HttpProblem(502, 'Upstream unreachable', `provider '${route.provider}' could not be reached`);
  }
  for (const header of PASSED_RESPONSE_HEADERS) {
    const value = upstream.header(header);
    if (value !== undefined) res.setHeader(header, value);
  }
  res.setHeader('x-aal-interaction-id', id);
  const eventStream = (upstream.header('content-type') ?? '').startsWith('text/event-stream');

  if (upstream.ok && eventStream) {
    res.status(upstream.status);
    res.setHeader('cache-control', 'no-cache');
    res.flushHeaders();
    const outcome = await relayEventStream({
      operation,
      upstream: upstream.body,
      res,
      stripUsageChunk,
      startMs,
      clientGone: clientGone.signal,
    });
    const cut = outcome.ending !== 'complete';
    const { usage: _providerUsage, ...factsWithoutUsage } = outcome.facts;
    await record({
      // A cut stream's usage is an estimate, whatever arrived before the cut.
      facts: cut ? factsWithoutUsage : outcome.facts,
      timeToFirstTokenMs: outcome.timeToFirstTokenMs,
      ...(cut ? { errorType: outcome.ending === 'client-cut' ? 'stream_cut_client' : 'stream_cut_upstream' } : {}),
      estimate: { outputChars: outcome.outputChars },
      output: outcome.output,
    });
    if (outcome.ending === 'upstream-cut') res.destroy();
    else if (outcome.ending === 'complete') res.end(outcome.heldDone ?? '');
    return;
  }

  let answer: Buffer;
  try {
    answer = await upstream.bytes();
  } catch {
    const gone = clientGone.signal.aborted;
    await record({ facts: {}, errorType: gone ? 'client_cancelled' : 'upstream_cut', estimate: { outputChars: 0 } });
    if (!gone) res.destroy();
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (upstream.ok) {
    await record({
      facts: answerFacts(operation, parsed),
      output: answerOutput(operation, parsed),
      estimate: { outputChars: 0 },
    });
  } else {
    // The provider refused: nothing was generated; its own usage if it sent one.
    const facts = answerFacts(operation, parsed);
    await record({ facts, errorType: `http_${upstream.status}`, estimate: { outputChars: 0, nothingSent: true } });
  }
  res.status(upstream.status).end(answer);
}
