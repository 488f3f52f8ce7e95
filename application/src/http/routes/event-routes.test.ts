import { setTimeout as sleep } from 'node:timers/promises';
import { ROLES } from '@aal/ledger-contract';
import type { ChaincodeEvent } from '../../ledger/chaincode-event';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';

const EVENTS = '/api/v1/channels/hospital-a/events';

interface ReceivedEvent {
  readonly id: string;
  readonly event: string;
  readonly data: { blockNumber: string; transactionId: string; event: string; payload: unknown };
}

/** Reads server-sent events from a response until `count` arrived, then disconnects. */
async function readEvents(response: Response, count: number, abort: AbortController): Promise<ReceivedEvent[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const received: ReceivedEvent[] = [];
  let buffer = '';
  while (received.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => !line.startsWith(':') && line.includes(': '))
          .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
      );
      if (fields.id !== undefined)
        received.push({
          id: fields.id,
          event: fields.event ?? '',
          data: JSON.parse(fields.data ?? '{}') as ReceivedEvent['data'],
        });
    }
  }
  abort.abort();
  return received;
}

const event = (blockNumber: bigint, eventName: string, n: number): ChaincodeEvent => ({
  blockNumber,
  transactionId: `tx-${n}`,
  eventName,
  payload: JSON.stringify({ n }),
});

describe('the event stream (fake ledger)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness();
    app.ledger.events.push(
      event(5n, 'ConsentGranted', 1),
      event(5n, 'InteractionRecorded', 2),
      event(6n, 'ConsentRevoked', 3),
      event(7n, 'SomethingElse', 4),
      event(7n, 'SubjectErased', 5),
    );
  });
  afterEach(() => app.close());

  const open = (headers: Record<string, string>, query = '', abort = new AbortController()) =>
    fetch(`${app.url}${EVENTS}${query}`, {
      headers: { authorization: `Bearer ${app.keys.auditor}`, ...headers },
      signal: abort.signal,
    });

  it('streams events with <block>:<ordinal> ids, counting events it does not forward, and heartbeats', async () => {
    const abort = new AbortController();
    const response = await open({}, '?startBlock=5', abort);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const received = await readEvents(response, 4, abort);
    expect(received.map((item) => `${item.id} ${item.event}`)).toEqual([
      '5:0 ConsentGranted',
      '5:1 InteractionRecorded',
      '6:0 ConsentRevoked',
      '7:1 SubjectErased',
    ]);
    expect(received[0]?.data).toEqual({
      channel: 'hospital-a',
      blockNumber: '5',
      transactionId: 'tx-1',
      event: 'ConsentGranted',
      payload: { n: 1 },
    });
  });

  it('resumes right after Last-Event-ID, without repeating or skipping, and delivers live events', async () => {
    const abort = new AbortController();
    const response = await open({ 'last-event-id': '5:0' }, '', abort);
    const reading = readEvents(response, 4, abort);
    await sleep(50);
    app.ledger.emit(event(8n, 'ConsentViolation', 6));
    const received = await reading;
    expect(received.map((item) => item.id)).toEqual(['5:1', '6:0', '7:1', '8:0']);
  });

  it('filters by event name and starts at the next block without a position', async () => {
    const abort = new AbortController();
    const response = await open({}, '?events=ConsentRevoked,ArtifactRegistered', abort);
    const reading = readEvents(response, 1, abort);
    await sleep(50);
    app.ledger.emit(event(9n, 'InteractionRecorded', 7));
    app.ledger.emit(event(9n, 'ArtifactRegistered', 8));
    expect((await reading).map((item) => `${item.id} ${item.event}`)).toEqual(['9:1 ArtifactRegistered']);
  });

  it("closes the ledger's event stream when the client disconnects", async () => {
    const abort = new AbortController();
    await readEvents(await open({}, '?startBlock=5', abort), 1, abort);
    for (let waited = 0; app.ledger.eventStreams.closed < 1 && waited < 2000; waited += 20) await sleep(20);
    expect(app.ledger.eventStreams).toEqual({ opened: 1, closed: 1 });
  });

  it('refuses a malformed Last-Event-ID or filter with 400, and roles other than auditor and admin with 403', async () => {
    expect((await open({ 'last-event-id': 'yesterday' })).status).toBe(400);
    expect((await open({}, '?events=Everything')).status).toBe(400);
    for (const role of ROLES.filter((role) => role !== 'auditor' && role !== 'admin')) {
      expect(
        (await fetch(`${app.url}${EVENTS}`, { headers: { authorization: `Bearer ${app.keys[role]}` } })).status,
      ).toBe(403);
    }
    expect(app.ledger.eventStreams.opened).toBe(0);
  });
});
