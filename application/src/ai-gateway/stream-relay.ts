import type { Response } from 'express';
import type { Content } from '@aal/ledger-contract';
import { answerFacts, usageOf, type AnswerFacts, type GatewayOperation } from './provider-answer';

/** How a relayed stream ended. */
export interface RelayOutcome {
  /** `complete`: the upstream finished (`[DONE]` or `response.completed`); else who cut it. */
  readonly ending: 'complete' | 'upstream-cut' | 'client-cut';
  readonly facts: AnswerFacts;
  /** The output as the client saw it: one assistant message per choice (chat), or the completed response's output. */
  readonly output: Content | undefined;
  /** Characters of output seen, for an estimate when no usage arrived. */
  readonly outputChars: number;
  /** ms from `startMs` to the first data event forwarded with content. */
  readonly timeToFirstTokenMs: number | undefined;
  /** The `[DONE]` event, held back until the record is durable; the caller writes it. */
  readonly heldDone: string | undefined;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Relays a server-sent event stream from the upstream to the client event by event, unchanged,
 * except that (1) a usage-only chunk (no choices) the client did not ask for is not forwarded, and
 * (2) the final `[DONE]` is held back so the caller can make the record durable first. Meanwhile it
 * gathers what the record needs: ids, model, finish reasons, usage, output text, time to first token.
 */
export async function relayEventStream(options: {
  readonly operation: GatewayOperation;
  readonly upstream: AsyncIterable<Uint8Array>;
  readonly res: Response;
  readonly stripUsageChunk: boolean;
  readonly startMs: number;
  /** Aborted when the client went away. */
  readonly clientGone: AbortSignal;
}): Promise<RelayOutcome> {
  const { operation, res, stripUsageChunk, startMs, clientGone } = options;
  const decoder = new TextDecoder();
  const facts: AnswerFacts = {};
  const texts = new Map<number, string>();
  const finish = new Map<number, string>();
  let responseOutput: Content | undefined;
  let outputChars = 0;
  let firstTokenMs: number | undefined;
  let heldDone: string | undefined;
  let completed = false;
  let buffer = '';

  const handleEvent = (block: string): void => {
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data === '[DONE]') {
      heldDone = `${block}\n\n`;
      completed = true;
      return;
    }
    let forward = true;
    if (data !== '') {
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch {
        event = undefined;
      }
      if (isObject(event)) forward = observe(event);
    }
    if (forward) {
      if (firstTokenMs === undefined && outputChars > 0) firstTokenMs = Date.now() - startMs;
      res.write(`${block}\n\n`);
    }
  };

  /** Gathers the record's facts from one event; false when the event is not for the client. */
  const observe = (event: Json): boolean => {
    if (operation === 'responses') {
      if (event.type === 'response.output_text.delta' && typeof event.delta === 'string')
        outputChars += event.delta.length;
      if ((event.type === 'response.completed' || event.type === 'response.incomplete') && isObject(event.response)) {
        Object.assign(facts, answerFacts('responses', event.response));
        if (Array.isArray(event.response.output)) responseOutput = JSON.stringify(event.response.output);
        completed = true;
      }
      return true;
    }
    if (typeof event.id === 'string' && facts.responseId === undefined)
      Object.assign(facts, { responseId: answerFacts('chat', { id: event.id }).responseId });
    if (typeof event.model === 'string' && facts.responseModel === undefined)
      Object.assign(facts, { responseModel: answerFacts('chat', { model: event.model }).responseModel });
    const usage = usageOf(event.usage);
    if (usage !== undefined) facts.usage = usage;
    const choices = Array.isArray(event.choices) ? event.choices : [];
    for (const choice of choices) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const delta = isObject(choice.delta) ? choice.delta : {};
      if (typeof delta.content === 'string') {
        texts.set(index, (texts.get(index) ?? '') + delta.content);
        outputChars += delta.content.length;
      }
      if (typeof choice.finish_reason === 'string') finish.set(index, choice.finish_reason);
    }
    // The chunk the gateway asked for on the client's behalf: usage and no choices.
    return !(stripUsageChunk && usage !== undefined && choices.length === 0);
  };

  let ending: RelayOutcome['ending'] = 'complete';
  try {
    for await (const value of options.upstream) {
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        if (block.trim() !== '') handleEvent(block);
        boundary = buffer.indexOf('\n\n');
      }
    }
    if (buffer.trim() !== '') handleEvent(buffer);
    if (!completed) ending = 'upstream-cut';
  } catch {
    ending = clientGone.aborted ? 'client-cut' : 'upstream-cut';
  }
  if (clientGone.aborted) ending = 'client-cut';
  if (operation === 'chat') {
    const reasons = [...finish.entries()].sort(([a], [b]) => a - b).map(([, reason]) => reason);
    if (reasons.length > 0)
      facts.finishReasons =
        answerFacts('chat', { choices: reasons.map((finish_reason) => ({ finish_reason })) }).finishReasons ?? [];
    if (facts.finishReasons?.length === 0) delete facts.finishReasons;
  }
  const output =
    operation === 'chat'
      ? texts.size === 0
        ? undefined
        : [...texts.entries()].sort(([a], [b]) => a - b).map(([, content]) => ({ role: 'assistant', content }))
      : responseOutput;
  return { ending, facts, output, outputChars, timeToFirstTokenMs: firstTokenMs, heldDone };
}
