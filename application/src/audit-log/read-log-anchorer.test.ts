import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ContractError, TRANSACTIONS, readAnchorSchema, type StoredReadAnchor } from '@aal/ledger-contract';
import { LedgerError } from '../ledger/ledger-error';
import { FakeLedger } from '../testing/fake-ledger-client';
import { AuditorReadLog, verifyAuditorReadLog, type AuditorRead } from './auditor-read-log';
import { ReadLogAnchorer, type ReadAnchoringConfig } from './read-log-anchorer';
import { readReadLogKey } from './read-log-key';

const CHANNELS = ['hospital-a', 'hospital-b'];

/**
 * The ReadLog contract as the chaincode answers it, per channel: write-once anchors whose seq must
 * grow and that name the latest anchor's head as previousHead (CONFLICT otherwise), signed by the
 * org's admin only, and the latest one per log.
 */
function installReadLogChaincode(ledger: FakeLedger): Map<string, StoredReadAnchor[]> {
  const anchors = new Map<string, StoredReadAnchor[]>(CHANNELS.map((channel) => [channel, []]));
  ledger.handlers.set(TRANSACTIONS.anchorReads, (call) => {
    if (call.role !== 'admin') throw new ContractError({ code: 'ACCESS_DENIED', message: 'needs admin' });
    const input = readAnchorSchema.parse(JSON.parse(call.args[0] ?? ''));
    const list = anchors.get(call.channel) ?? [];
    const latest = list[list.length - 1];
    if (latest !== undefined && input.seq <= latest.seq)
      throw new ContractError({ code: 'CONFLICT', message: `anchored at seq ${latest.seq} already` });
    if (input.previousHead !== latest?.head)
      throw new ContractError({ code: 'CONFLICT', message: `previousHead must be ${latest?.head ?? 'absent'}` });
    const stored: StoredReadAnchor = {
      ...input,
      org: 'RegulatorMSP',
      anchoredBy: 'app-admin',
      txId: 'c'.repeat(64),
      txTime: new Date().toISOString(),
    };
    list.push(stored);
    return JSON.stringify(stored);
  });
  ledger.handlers.set(TRANSACTIONS.getLatestReadAnchor, (call) => {
    const list = anchors.get(call.channel) ?? [];
    const latest = list.filter((anchor) => anchor.org === call.args[0] && anchor.log === call.args[1]).pop();
    if (latest === undefined) throw new ContractError({ code: 'NOT_FOUND', message: 'no anchor' });
    return JSON.stringify(latest);
  });
  return anchors;
}

const read = (n: number, channel: string, owners: Record<string, number>): AuditorRead => ({
  event: 'read',
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  requestId: `request-${n}`,
  keyName: 'regulator-auditor',
  role: 'auditor',
  route: 'GET /api/v1/channels/:channel/interactions',
  resourceIds: { channel },
  readsByOwner: owners,
  subjectRefs: [],
});

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let tries = 0; tries < 250; tries++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('anchoring the auditor-read log on the ledger', () => {
  let dir: string;
  let path: string;
  let ledger: FakeLedger;
  let anchors: Map<string, StoredReadAnchor[]>;
  let logLines: string[];
  const running: ReadLogAnchorer[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-anchors-'));
    path = join(dir, 'auditor-reads.jsonl');
    ledger = new FakeLedger();
    anchors = installReadLogChaincode(ledger);
    logLines = [];
  });
  afterEach(async () => {
    for (const anchorer of running.splice(0)) await anchorer.stop(0);
    rmSync(dir, { recursive: true, force: true });
  });

  /** A log and its anchorer as main.ts wires them, started; resolves once the log takes entries. */
  async function start(
    config: Partial<ReadAnchoringConfig> = {},
    registry = new Registry(),
  ): Promise<{ log: AuditorReadLog; anchorer: ReadLogAnchorer; registry: Registry }> {
    const log = new AuditorReadLog({ path });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    });
    const anchorer = new ReadLogAnchorer({
      log,
      ledger: ledger.clientFor('admin'),
      mspId: 'RegulatorMSP',
      channels: CHANNELS,
      config: { everyEntries: 100, intervalMs: 60_000, ...config },
      logger: pino({ level: 'warn' }, sink),
      registry,
    });
    running.push(anchorer);
    anchorer.start();
    await eventually(() => log.isReconciled, 'reconciliation');
    return { log, anchorer, registry };
  }
  const anchored = (channel: string) => anchors.get(channel) ?? [];

  it('anchors every N entries on each channel, signed as admin, counting what was read there per owner', async () => {
    const { log, anchorer } = await start({ everyEntries: 3 });
    await log.append(read(1, 'hospital-a', { HospitalAMSP: 1 }));
    await log.append(read(2, 'hospital-b', { HospitalBMSP: 2, AIProviderMSP: 1 }));
    expect(ledger.calls.filter((call) => call.transaction === TRANSACTIONS.anchorReads)).toEqual([]);
    const third = await log.append(read(3, 'hospital-a', { HospitalAMSP: 4, AIProviderMSP: 1 }));
    await eventually(() => anchored('hospital-a').length === 1 && anchored('hospital-b').length === 1, 'anchors');

    const window = { from: '2026-01-01T00:00:01.000Z', to: '2026-01-01T00:00:03.000Z' };
    expect(anchored('hospital-a')[0]).toMatchObject({
      log: 'auditor-reads',
      seq: 3,
      head: third.mac,
      window,
      readsByOwner: { AIProviderMSP: 1, HospitalAMSP: 5 },
    });
    expect(anchored('hospital-b')[0]).toMatchObject({
      seq: 3,
      head: third.mac,
      window,
      readsByOwner: { AIProviderMSP: 1, HospitalBMSP: 2 },
    });
    expect(
      ledger.calls.filter((call) => call.transaction === TRANSACTIONS.anchorReads).map((call) => call.role),
    ).toEqual(['admin', 'admin']);
    expect(anchorer.status()).toMatchObject({
      name: 'auditor-reads',
      reconciled: true,
      lastSeq: 3,
      anchoredSeq: 3,
      unanchoredEntries: 0,
      anchorFailures: 0,
      gaps: [],
    });
  });

  it('anchors at least every interval, and what is left when it stops', async () => {
    const { log, anchorer } = await start({ intervalMs: 50 });
    await log.append(read(1, 'hospital-a', { HospitalAMSP: 1 }));
    await eventually(() => anchored('hospital-b').length === 1, 'the interval anchor');
    await log.append(read(2, 'hospital-b', { HospitalBMSP: 1 }));
    running.splice(0);
    await anchorer.stop(5_000);
    expect(anchored('hospital-b').map((anchor) => [anchor.seq, anchor.readsByOwner])).toEqual([
      [1, {}],
      [2, { HospitalBMSP: 1 }],
    ]);
    expect(anchorer.status().unanchoredEntries).toBe(0);
  });

  it('retries a failed anchor with its reads counted in the next one, reports the failure, and never blocks reads', async () => {
    const { log, anchorer, registry } = await start({ everyEntries: 1, intervalMs: 200 });
    ledger.failures.push(new LedgerError('unavailable', 'the orderer does not answer', { transient: true }));
    await log.append(read(1, 'hospital-a', { HospitalAMSP: 2 }));
    await eventually(() => anchorer.status().anchorFailures === 1, 'the failure');
    expect(anchorer.status().lastError).toMatch(/anchoring seq 1 on hospital-a failed: the orderer does not answer/);
    expect(await registry.metrics()).toContain('aal_read_log_anchor_failures_total{channel="hospital-a"} 1');
    // Reads go on while the anchor waits for its retry.
    await log.append(read(2, 'hospital-a', { HospitalAMSP: 1 }));
    await eventually(() => anchorer.status().unanchoredEntries === 0, 'the retry');
    expect(anchored('hospital-a').reduce((sum, anchor) => sum + (anchor.readsByOwner.HospitalAMSP ?? 0), 0)).toBe(3);
    expect(anchorer.status().lastError).toBeUndefined();
    expect(logLines.join('')).toContain('anchoring the auditor-read log failed; will retry');
  });

  it('takes a CONFLICT for the very anchor it sent as committed (an earlier attempt timed out after committing)', async () => {
    const handler = ledger.handlers.get(TRANSACTIONS.anchorReads);
    let first = true;
    ledger.handlers.set(TRANSACTIONS.anchorReads, (call) => {
      const answer = handler?.(call) ?? '';
      if (first && call.channel === 'hospital-a') {
        first = false;
        throw new LedgerError('unavailable', 'commit status timed out', { transient: true });
      }
      return answer;
    });
    const { log, anchorer } = await start({ intervalMs: 200 });
    await log.append(read(1, 'hospital-a', { HospitalAMSP: 1 }));
    expect(await anchorer.anchorNow()).toBe(false);
    await eventually(() => anchorer.status().unanchoredEntries === 0, 'the retry');
    expect(anchored('hospital-a').map((anchor) => anchor.seq)).toEqual([1]);
    expect(anchorer.status()).toMatchObject({ anchorFailures: 1, anchoredSeq: 1 });
  });

  it('anchors after a restart what was read before it, and records a gap when anchored entries are gone', async () => {
    const first = await start();
    for (let n = 1; n <= 3; n++) await first.log.append(read(n, 'hospital-a', { HospitalAMSP: 1 }));
    expect(await first.anchorer.anchorNow()).toBe(true);
    // Two more reads, then the process dies before anchoring them.
    await first.log.append(read(4, 'hospital-a', { HospitalAMSP: 1 }));
    await first.log.append(read(5, 'hospital-b', { HospitalBMSP: 1 }));
    for (const anchorer of running.splice(0)) await anchorer.stop(0).catch(() => undefined);
    anchors.set('hospital-a', anchors.get('hospital-a')?.filter((anchor) => anchor.seq <= 3) ?? []);
    anchors.set('hospital-b', anchors.get('hospital-b')?.filter((anchor) => anchor.seq <= 3) ?? []);

    // Started again, it anchors at once what was read since the last anchor, counted from the file.
    const second = await start();
    await eventually(() => second.anchorer.status().unanchoredEntries === 0, 'the anchor of the leftovers');
    expect(second.anchorer.status()).toMatchObject({ lastSeq: 5, anchoredSeq: 5, gaps: [] });
    expect(anchored('hospital-a').map((anchor) => [anchor.seq, anchor.readsByOwner])).toEqual([
      [3, { HospitalAMSP: 3 }],
      [5, { HospitalAMSP: 1 }],
    ]);
    expect(anchored('hospital-b').map((anchor) => [anchor.seq, anchor.readsByOwner])).toEqual([
      [3, {}],
      [5, { HospitalBMSP: 1 }],
    ]);
    const head = anchored('hospital-a')[1];
    for (const anchorer of running.splice(0)) await anchorer.stop(0);

    // Someone removes the last three entries: the app does not start over silently.
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    writeFileSync(path, `${lines.slice(0, 2).join('\n')}\n`);
    const registry = new Registry();
    const third = await start({}, registry);
    const gap = { reason: 'truncated', anchored: { seq: 5, head: head?.head }, found: { seq: 2 } };
    expect(third.anchorer.status()).toMatchObject({ reconciled: true, lastSeq: 6, gaps: [gap] });
    expect(logLines.join('')).toContain('the auditor-read log lacks entries the ledger anchors');
    expect(await registry.metrics()).toContain('aal_read_log_gaps_total 1');
    expect(await third.anchorer.anchorNow()).toBe(true);
    expect(anchored('hospital-a').map((anchor) => anchor.seq)).toEqual([3, 5, 6]);
    // Each anchor follows the channel's previous one, across restarts and the gap.
    for (const channel of CHANNELS)
      expect(anchored(channel).map((anchor) => anchor.previousHead)).toEqual([
        undefined,
        anchored(channel)[0]?.head,
        anchored(channel)[1]?.head,
      ]);
    const key = readReadLogKey(`${path}.key`);
    expect(verifyAuditorReadLog(path, key, { seq: 6, head: anchored('hospital-a')[2]?.head ?? '' })).toMatchObject({
      valid: true,
      gaps: [gap],
    });
  });

  it('records a divergence when the ledger’s latest anchor follows a head that is no entry of the log', async () => {
    const first = await start();
    for (let n = 1; n <= 3; n++) await first.log.append(read(n, 'hospital-a', { HospitalAMSP: 1 }));
    expect(await first.anchorer.anchorNow()).toBe(true);
    for (const anchorer of running.splice(0)) await anchorer.stop(0);
    // Another writer under this log's name chained an anchor of entry 3 to a head this log never had.
    const own = anchored('hospital-a')[0];
    const foreign = { ...own, previousHead: 'e'.repeat(64) } as StoredReadAnchor;
    anchors.set('hospital-a', [foreign]);
    anchors.set('hospital-b', [foreign]);

    const second = await start();
    const gap = { reason: 'diverged', anchored: { seq: 3, head: own?.head }, found: { seq: 3 } };
    expect(second.anchorer.status()).toMatchObject({ lastSeq: 4, gaps: [gap] });
    expect(logLines.join('')).toContain('the auditor-read log lacks entries the ledger anchors');
    // Restarting again before the next anchor finds the divergence recorded: no second gap.
    for (const anchorer of running.splice(0)) await anchorer.stop(0).catch(() => undefined);
    anchors.set('hospital-a', [foreign]);
    anchors.set('hospital-b', [foreign]);
    const third = await start();
    expect(third.anchorer.status()).toMatchObject({ lastSeq: 4, gaps: [gap] });
    expect(await third.anchorer.anchorNow()).toBe(true);
    expect(anchored('hospital-a').map((anchor) => [anchor.seq, anchor.previousHead])).toEqual([
      [3, 'e'.repeat(64)],
      [4, own?.head],
    ]);
  });

  it('takes no auditor read until it has compared the log with the ledger, retrying while the peer is down', async () => {
    ledger.failures.push(
      new LedgerError('unavailable', 'the peer does not answer', { transient: true }),
      new LedgerError('unavailable', 'the peer does not answer', { transient: true }),
    );
    const log = new AuditorReadLog({ path });
    const anchorer = new ReadLogAnchorer({
      log,
      ledger: ledger.clientFor('admin'),
      mspId: 'RegulatorMSP',
      channels: CHANNELS,
      config: { everyEntries: 100, intervalMs: 50 },
    });
    running.push(anchorer);
    anchorer.start();
    await eventually(() => anchorer.status().lastError !== undefined, 'the first failure');
    expect(anchorer.status()).toMatchObject({ reconciled: false });
    expect(anchorer.status().lastError).toMatch(
      /cannot compare the log with its ledger anchor: the peer does not answer/,
    );
    await expect(log.append(read(1, 'hospital-a', {}))).rejects.toThrow(/has not been compared with its ledger anchor/);
    await eventually(() => log.isReconciled, 'reconciliation');
    expect(anchorer.status().lastError).toBeUndefined();
    expect((await log.append(read(1, 'hospital-a', {}))).seq).toBe(1);
  });
});
