import { interactionFields, LIMITS, type ChatMessage, type Content } from '@aal/ledger-contract';

/** The operations the gateway records, named as OpenTelemetry's `gen_ai.operation.name`. */
export type GatewayOperation = 'chat' | 'embeddings' | 'responses';

/** What a provider's answer says about the call (OpenAI wire format), in record terms. */
export interface AnswerFacts {
  responseModel?: string;
  responseId?: string;
  finishReasons?: string[];
  /** Absent when the answer carries no usage. */
  usage?: { inputTokens: number; outputTokens: number; cacheReadTokens?: number; reasoningTokens?: number };
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** A provider's token count, when the ledger takes it (a count past the per-call limit is treated as not reported). */
const tokens = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= LIMITS.tokensPerCall
    ? value
    : undefined;

/** A provider string kept only when it meets the record field's rule (a provider's odd id is not a reason to lose the record). */
function valid<K extends 'responseModel' | 'responseId' | 'finishReasons'>(field: K, value: unknown): unknown {
  return interactionFields[field].safeParse(value).success ? value : undefined;
}

/**
 * Usage in either of OpenAI's spellings: chat/embeddings (`prompt_tokens`…) or responses
 * (`input_tokens`…). All or nothing: when any count the provider gave is one the ledger would refuse
 * (past the per-call limit, negative, fractional), none is kept and the gateway estimates usage
 * instead of recording a partial count as the provider's.
 */
export function usageOf(usage: unknown): AnswerFacts['usage'] {
  if (!isObject(usage)) return undefined;
  const inputDetails = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const outputDetails = usage.completion_tokens_details ?? usage.output_tokens_details;
  const given = {
    input: usage.prompt_tokens ?? usage.input_tokens,
    output: usage.completion_tokens ?? usage.output_tokens,
    cached: isObject(inputDetails) ? inputDetails.cached_tokens : undefined,
    reasoning: isObject(outputDetails) ? outputDetails.reasoning_tokens : undefined,
  };
  if (given.input === undefined) return undefined;
  const counts = Object.values(given).filter((value) => value !== undefined && value !== null);
  if (counts.some((value) => tokens(value) === undefined)) return undefined;
  const cached = tokens(given.cached);
  const reasoning = tokens(given.reasoning);
  return {
    inputTokens: tokens(given.input) ?? 0,
    outputTokens: tokens(given.output) ?? 0,
    ...(cached === undefined ? {} : { cacheReadTokens: cached }),
    ...(reasoning === undefined ? {} : { reasoningTokens: reasoning }),
  };
}

/** The facts of a complete (non-streamed) answer body. */
export function answerFacts(operation: GatewayOperation, body: unknown): AnswerFacts {
  if (!isObject(body)) return {};
  const facts: AnswerFacts = {};
  const model = valid('responseModel', body.model);
  if (typeof model === 'string') facts.responseModel = model;
  const id = valid('responseId', body.id);
  if (typeof id === 'string') facts.responseId = id;
  const usage = usageOf(body.usage);
  if (usage !== undefined) facts.usage = usage;
  const reasons =
    operation === 'chat' && Array.isArray(body.choices)
      ? body.choices.map((choice) => (isObject(choice) ? choice.finish_reason : undefined))
      : operation === 'responses'
        ? [isObject(body.incomplete_details) ? body.incomplete_details.reason : body.status]
        : [];
  const finish = reasons.filter((reason): reason is string => typeof reason === 'string');
  if (finish.length > 0 && valid('finishReasons', finish) !== undefined) facts.finishReasons = finish;
  return facts;
}

/** Chat messages (each an object with a string `role`) as content; anything else as its JSON text. */
export function asContent(value: unknown): Content {
  if (typeof value === 'string') return value;
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => isObject(item) && typeof item.role === 'string')
  )
    return value as ChatMessage[];
  return JSON.stringify(value ?? null);
}

/**
 * The output content the record commits to: the chat choices' messages (chat messages), the
 * responses API's `output` items, or nothing (embeddings).
 */
export function answerOutput(operation: GatewayOperation, body: unknown): Content | undefined {
  if (!isObject(body)) return undefined;
  if (operation === 'chat' && Array.isArray(body.choices))
    return asContent(body.choices.map((choice) => (isObject(choice) ? choice.message : null)));
  if (operation === 'responses' && Array.isArray(body.output)) return asContent(body.output);
  return undefined;
}

/** The prompt content the record commits to: the request's `messages` (chat) or `input`. */
export function requestPrompt(operation: GatewayOperation, body: Json): Content {
  return asContent(operation === 'chat' ? body.messages : body.input);
}

/** The length in characters of content, for estimates. */
export function contentLength(content: Content): number {
  return typeof content === 'string' ? content.length : JSON.stringify(content).length;
}

/**
 * A token estimate for content the provider never counted (a cut stream): about four characters
 * per token, at least one, so an interrupted call is never recorded as free.
 */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}
