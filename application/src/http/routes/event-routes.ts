import { BLOCK_NUMBER_PATTERN } from '../../ledger/block-number';
import type { Response } from 'express';
import { z } from 'zod';
import { EVENT_ID_PATTERN, EventSequencer, formatEventId, parseEventId } from '../../events/event-position';
import { ReadTally } from '../../audit-log/read-tally';
import type { ChaincodeEvent, ChaincodeEventStream } from '../../ledger/chaincode-event';
import { channelNameSchema, requireMemberChannel } from '../schemas/channel';
import { HttpProblem } from '../problem';
import { defineRoute, type AnyRouteDefinition } from '../route';

/** The chaincode's events a client can subscribe to (docs/chaincode-api.md). */
export const EVENT_NAMES = [
  'ConsentGranted',
  'ConsentRevoked',
  'ConsentViolation',
  'InteractionRecorded',
  'BatchRecorded',
  'ArtifactRegistered',
  'TrainingRunRecorded',
  'SubjectErased',
] as const;

/** `events`: a comma-separated list of event names, as a pattern the OpenAPI document can state. */
const EVENT_LIST_PATTERN = new RegExp(`^(${EVENT_NAMES.join('|')})(,(${EVENT_NAMES.join('|')}))*$`);

/** Proxies and load balancers drop connections idle for about a minute; a comment every 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000;

/** How long an EventSource client waits before reconnecting (the SSE `retry:` field). */
const RECONNECT_MS = 2_000;

const eventDataSchema = z.object({
  channel: z.string(),
  blockNumber: z.string().describe('decimal block number'),
  transactionId: z.string(),
  event: z.enum(EVENT_NAMES),
  payload: z.unknown().describe("the chaincode's event payload (JSON)"),
});

export interface EventRouteOptions {
  /** Ends every open stream when the app shuts down, so in-flight requests can finish. */
  readonly shutdown?: AbortSignal;
  readonly heartbeatMs?: number;
}

/**
 * `GET /channels/:channel/events`: the chaincode's events as server-sent events, each with id
 * `<block>:<ordinal>` (see events/event-position.ts) so that a client reconnecting with
 * `Last-Event-ID` resumes right after the last event it received. Auditors and admins only: events
 * span every org on the channel (interaction ids, consent ids and controllers, violations), which the
 * chaincode would not let recorders or consent managers read record by record.
 */
export function eventRoutes(channels: readonly string[], options: EventRouteOptions = {}): AnyRouteDefinition[] {
  return [
    defineRoute({
      method: 'get',
      path: '/channels/:channel/events',
      operationId: 'streamEvents',
      summary: 'Stream ledger events',
      description:
        'Server-sent events (text/event-stream): `id: <block>:<ordinal>`, `event: <name>`, `data: {channel, blockNumber, transactionId, event, payload}`. Resume with the `Last-Event-ID` header (or `lastEventId`) to receive exactly the events after it; without it the stream starts at `startBlock`, or with the next block. A comment line every 15 s keeps idle connections open.',
      tag: 'events',
      roles: ['auditor', 'admin'],
      params: z.strictObject({ channel: channelNameSchema }),
      query: z.strictObject({
        lastEventId: z
          .string()
          .regex(EVENT_ID_PATTERN, 'must be an event id <block>:<ordinal>')
          .optional()
          .describe('as the Last-Event-ID header, for clients that cannot set headers'),
        startBlock: z
          .string()
          .regex(BLOCK_NUMBER_PATTERN, 'must be a block number (at most 15 decimal digits)')
          .optional()
          .describe('replay from this block when not resuming (default: from the next block)'),
        events: z
          .string()
          .regex(EVENT_LIST_PATTERN, `must be a comma-separated list of: ${EVENT_NAMES.join(', ')}`)
          .optional()
          .describe('only these event names (default: all)'),
      }),
      responses: {
        200: {
          description: "The event stream; each event's data",
          schema: eventDataSchema,
          contentType: 'text/event-stream',
        },
      },
      refusals: [404],
      // An auditor's subscription is recorded when it opens and, with the owners of the events it delivered, when it closes.
      recordsAuditorRead: true,
      async handle({ params, query, headers, ledger }) {
        const channel = requireMemberChannel(params.channel, channels);
        const header = headers['last-event-id'];
        const resumeText = typeof header === 'string' && header !== '' ? header : query.lastEventId;
        const after = resumeText === undefined ? undefined : parseEventId(resumeText);
        if (resumeText !== undefined && after === undefined) {
          throw new HttpProblem(400, 'Invalid request', 'the request is invalid', {
            errors: [{ field: 'Last-Event-ID', message: 'must be an event id <block>:<ordinal>' }],
          });
        }
        const wanted = new Set<string>(query.events === undefined ? EVENT_NAMES : query.events.split(','));
        const startBlock = EventSequencer.startBlock(
          after,
          query.startBlock === undefined ? undefined : BigInt(query.startBlock),
        );
        // Opened before answering, so an unreachable peer is a 503 problem rather than a broken stream.
        const events = await ledger.chaincodeEvents(channel, startBlock);
        const read = new ReadTally();
        return {
          status: 200,
          headers: {
            'Content-Type': 'text/event-stream; charset=utf-8',
            Connection: 'keep-alive',
            'X-Accel-Buffering': 'no',
          },
          stream: (response) =>
            relayEvents(response, events, {
              channel,
              sequencer: new EventSequencer(after),
              wanted,
              heartbeatMs: options.heartbeatMs ?? HEARTBEAT_MS,
              shutdown: options.shutdown,
              read,
            }),
          read,
        };
      },
    }),
  ];
}

interface RelayOptions {
  readonly channel: string;
  readonly sequencer: EventSequencer;
  readonly wanted: ReadonlySet<string>;
  readonly heartbeatMs: number;
  readonly shutdown: AbortSignal | undefined;
  /** Counts the events delivered, by the owner their payload names, for the auditor-read log. */
  readonly read: ReadTally;
}

/** Writes events to the client until it disconnects, the app shuts down or the peer's stream fails. */
async function relayEvents(response: Response, events: ChaincodeEventStream, options: RelayOptions): Promise<void> {
  const stop = (): void => events.close();
  response.on('close', stop);
  options.shutdown?.addEventListener('abort', stop, { once: true });
  const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), options.heartbeatMs);
  response.flushHeaders();
  response.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);
  try {
    for await (const event of events) {
      const { position, seen } = options.sequencer.place(event.blockNumber);
      if (seen || !options.wanted.has(event.eventName)) continue;
      const { text, payload } = serverSentEvent(formatEventId(position), event, options.channel);
      options.read.records(payload);
      if (!response.write(text)) {
        await new Promise((resolve) => response.once('drain', resolve).once('close', resolve));
      }
    }
  } catch {
    // The peer's stream failed: end this response; the client reconnects with its Last-Event-ID.
    response.write(': the ledger event stream ended; reconnect to resume\n\n');
  } finally {
    clearInterval(heartbeat);
    options.shutdown?.removeEventListener('abort', stop);
    response.off('close', stop);
    events.close();
    response.end();
  }
}

function serverSentEvent(id: string, event: ChaincodeEvent, channel: string): { text: string; payload: unknown } {
  let payload: unknown;
  try {
    payload = JSON.parse(event.payload);
  } catch {
    payload = event.payload;
  }
  const data = JSON.stringify({
    channel,
    blockNumber: event.blockNumber.toString(),
    transactionId: event.transactionId,
    event: event.eventName,
    payload,
  });
  // JSON.stringify escapes line breaks inside strings, so data is one line as SSE requires.
  return { text: `id: ${id}\nevent: ${event.eventName}\ndata: ${data}\n\n`, payload };
}
