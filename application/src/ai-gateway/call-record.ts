import type { Content } from '@aal/ledger-contract';
import { committedRecord } from '../commitments/record-content';
import { committedReferences } from '../commitments/reference-commitments';
import { callCost } from './call-cost';
import type { CallReferences } from './call-headers';
import type { GatewayConfig } from './gateway-config';
import { contentLength, estimateTokens, type AnswerFacts, type GatewayOperation } from './provider-answer';

/** Everything known about one call when it ends, content included (committed here, then dropped). */
export interface FinishedCall {
  /** The record's qualified id (`<MSP id>:gw-<uuid>`): also the outbox's and the ledger's idempotency key. */
  readonly id: string;
  readonly applicationId: string;
  readonly provider: string;
  readonly operation: GatewayOperation;
  readonly requestModel: string;
  readonly references: CallReferences;
  readonly startMs: number;
  readonly endMs: number;
  readonly timeToFirstTokenMs?: number | undefined;
  readonly facts: AnswerFacts;
  /** `undefined`: the call succeeded; else the record's `errorType`. */
  readonly errorType?: string | undefined;
  /** No usage from the provider: estimate from the content (cut streams, refusals count nothing sent). */
  readonly estimate?: { readonly outputChars: number; readonly nothingSent?: boolean } | undefined;
  readonly prompt: Content;
  readonly output?: Content | undefined;
}

/** Priced by the model the client asked for (the routing name), else by the model that answered. */
function modelCost(table: GatewayConfig['priceTable'], call: FinishedCall, usage: Parameters<typeof callCost>[3]) {
  const requested = callCost(table, call.provider, call.requestModel, usage);
  if (requested.status === 'priced' || call.facts.responseModel === undefined) return requested;
  return callCost(table, call.provider, call.facts.responseModel, usage);
}

/**
 * The interaction record of a call as the ledger takes it: metadata, usage (the provider's, or an
 * estimate that is never zero for a call that reached the provider), cost from the price table,
 * the prompt and output replaced by their commitments under the record's key, and `actorRef` /
 * `conversationId` by their keyed commitments under the org's content key (`orgKeyHex`, needed only
 * when the call names either).
 */
export function callRecord(
  call: FinishedCall,
  priceTable: GatewayConfig['priceTable'],
  keyHex: string,
  orgKeyHex?: string,
): object {
  const usage =
    call.facts.usage !== undefined
      ? { ...call.facts.usage, source: 'provider' as const }
      : call.estimate?.nothingSent === true
        ? { inputTokens: 0, outputTokens: 0, source: 'estimated' as const }
        : {
            inputTokens: estimateTokens(contentLength(call.prompt)),
            outputTokens: estimateTokens(call.estimate?.outputChars ?? 0),
            source: 'estimated' as const,
          };
  const { references } = call;
  const record = {
    id: call.id,
    startTime: new Date(call.startMs).toISOString(),
    endTime: new Date(call.endMs).toISOString(),
    provider: call.provider,
    operation: call.operation,
    requestModel: call.requestModel,
    ...(call.facts.responseModel === undefined ? {} : { responseModel: call.facts.responseModel }),
    ...(call.facts.responseId === undefined ? {} : { responseId: call.facts.responseId }),
    usage,
    cost: modelCost(priceTable, call, usage),
    latencyMs: Math.max(0, call.endMs - call.startMs),
    ...(call.timeToFirstTokenMs === undefined ? {} : { timeToFirstTokenMs: call.timeToFirstTokenMs }),
    status: call.errorType === undefined ? ('ok' as const) : ('error' as const),
    ...(call.errorType === undefined ? {} : { errorType: call.errorType }),
    ...(call.facts.finishReasons === undefined ? {} : { finishReasons: call.facts.finishReasons }),
    applicationId: call.applicationId,
    ...(references.actorRef === undefined ? {} : { actorRef: references.actorRef }),
    ...(references.conversationId === undefined ? {} : { conversationId: references.conversationId }),
    ...(references.subjectRef === undefined ? {} : { subjectRef: references.subjectRef }),
    ...(references.consentId === undefined ? {} : { consentId: references.consentId }),
    ...(references.purpose === undefined ? {} : { purpose: references.purpose }),
    prompt: call.prompt,
    ...(call.output === undefined ? {} : { output: call.output }),
  };
  const hasReferences = references.actorRef !== undefined || references.conversationId !== undefined;
  if (hasReferences && orgKeyHex === undefined) throw new Error('callRecord: a reference needs the org content key');
  return committedRecord(orgKeyHex === undefined ? record : committedReferences(orgKeyHex, record), keyHex);
}
