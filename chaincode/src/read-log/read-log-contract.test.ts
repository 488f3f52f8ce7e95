import type { StoredReadAnchor } from '@aal/ledger-contract';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { refusalOf } from '../testing/refusal';
import { ReadLogContract } from './read-log-contract';

const contract = new ReadLogContract();
const regulatorAdmin: TestIdentity = { mspId: 'RegulatorMSP', role: 'admin', enrollmentId: 'app-admin' };
const providerAdmin: TestIdentity = { mspId: 'AIProviderMSP', role: 'admin', enrollmentId: 'app-admin' };
const hospitalAuditor: TestIdentity = { mspId: 'HospitalAMSP', role: 'auditor' };

/** The in-memory ledger's clock starts at 2026-01-01T00:00:00Z: these windows lie before every transaction. */
const headOf = (seq: number): string => seq.toString(16).padStart(64, '0');
/** An anchor that follows the log's anchor at `seq` (previousHead: that anchor's head). */
const after = (seq: number) => ({ previousHead: headOf(seq) });

const anchor = (seq: number, readsByOwner: Record<string, number>, overrides: Record<string, unknown> = {}) => ({
  log: 'auditor-reads',
  seq,
  head: headOf(seq),
  window: { from: '2025-12-31T10:00:00.000Z', to: '2025-12-31T11:00:00.000Z' },
  readsByOwner,
  ...overrides,
});

const anchorReads = (ledger: InMemoryLedger, who: TestIdentity, value: unknown, txTime?: string) =>
  ledger
    .submit(who, (ctx) => contract.AnchorReads(ctx, JSON.stringify(value)), txTime === undefined ? {} : { txTime })
    .then((json) => JSON.parse(json) as StoredReadAnchor);

const latest = (ledger: InMemoryLedger, org: string, log = 'auditor-reads') =>
  ledger
    .evaluate(hospitalAuditor, (ctx) => contract.GetLatestReadAnchor(ctx, org, log))
    .then((json) => JSON.parse(json) as StoredReadAnchor);

const query = (ledger: InMemoryLedger, filter: unknown, who = hospitalAuditor) =>
  ledger
    .evaluate(who, (ctx) => contract.QueryReadAnchors(ctx, JSON.stringify(filter)))
    .then((json) => JSON.parse(json) as { records: StoredReadAnchor[]; bookmark: string });

describe('ReadLog: anchors of the auditor-read logs', () => {
  it('stores the anchor with the reader org and user from the certificate and the transaction time', async () => {
    const ledger = new InMemoryLedger();
    const stored = await anchorReads(
      ledger,
      regulatorAdmin,
      anchor(3, { HospitalAMSP: 2 }),
      '2026-01-01T00:00:05.000Z',
    );
    expect(stored).toEqual({
      ...anchor(3, { HospitalAMSP: 2 }),
      org: 'RegulatorMSP',
      anchoredBy: 'app-admin',
      txId: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      txTime: '2026-01-01T00:00:05.000Z',
    });
    expect(await latest(ledger, 'RegulatorMSP')).toEqual(stored);
    // The reader org is the certificate's: input cannot name one.
    expect(
      await refusalOf(anchorReads(ledger, regulatorAdmin, { ...anchor(4, {}), org: 'HospitalBMSP' })),
    ).toMatchObject({ code: 'INVALID_ARGUMENT', violations: [{ path: 'org', rule: 'is not a known field' }] });
  });

  it('refuses an anchor at or below the latest seq (CONFLICT), so a truncated log cannot be re-anchored lower', async () => {
    const ledger = new InMemoryLedger();
    await anchorReads(ledger, regulatorAdmin, anchor(10, { HospitalAMSP: 1 }));
    const before = ledger.keys();
    for (const seq of [10, 9, 1]) {
      expect(await refusalOf(anchorReads(ledger, regulatorAdmin, anchor(seq, { HospitalAMSP: 1 })))).toEqual({
        code: 'CONFLICT',
        message: `read log auditor-reads of RegulatorMSP is anchored at seq 10 already: a new anchor must name a later entry (got seq ${seq})`,
      });
    }
    // Not even the same anchor again: anchors are write-once.
    expect(await refusalOf(anchorReads(ledger, regulatorAdmin, anchor(10, { HospitalAMSP: 1 })))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(ledger.keys()).toEqual(before);
    expect((await latest(ledger, 'RegulatorMSP')).seq).toBe(10);

    await anchorReads(ledger, regulatorAdmin, anchor(11, {}, after(10)));
    expect((await latest(ledger, 'RegulatorMSP')).seq).toBe(11);
    // Each org's logs are its own: another org, or another log of the org, starts at any seq.
    await anchorReads(ledger, providerAdmin, anchor(1, {}));
    await anchorReads(ledger, regulatorAdmin, anchor(1, {}, { log: 'auditor-reads.second' }));
    expect((await latest(ledger, 'AIProviderMSP')).seq).toBe(1);
    expect((await latest(ledger, 'RegulatorMSP', 'auditor-reads.second')).seq).toBe(1);
    expect((await latest(ledger, 'RegulatorMSP')).seq).toBe(11);
  });

  it('chains a log’s anchors: each names the latest anchor’s head as previousHead, the first none (CONFLICT otherwise)', async () => {
    const ledger = new InMemoryLedger();
    const conflict = (got: string) => ({
      code: 'CONFLICT',
      message: `read log auditor-reads of RegulatorMSP is anchored at seq 3 with head ${headOf(3)}: a new anchor must name that head as previousHead (got ${got})`,
    });
    expect(await refusalOf(anchorReads(ledger, regulatorAdmin, anchor(3, {}, after(2))))).toEqual({
      code: 'CONFLICT',
      message: 'read log auditor-reads of RegulatorMSP has no anchor yet: its first anchor names no previousHead',
    });
    expect(ledger.keys()).toEqual([]);
    // A first anchor without previousHead is also how anchors stored before chaining read: a chain start.
    const first = await anchorReads(ledger, regulatorAdmin, anchor(3, { HospitalAMSP: 1 }));
    expect(first).not.toHaveProperty('previousHead');
    const before = ledger.keys();
    expect(await refusalOf(anchorReads(ledger, regulatorAdmin, anchor(5, {})))).toEqual(conflict('none'));
    expect(await refusalOf(anchorReads(ledger, regulatorAdmin, anchor(5, {}, after(2))))).toEqual(conflict(headOf(2)));
    expect(ledger.keys()).toEqual(before);
    const second = await anchorReads(ledger, regulatorAdmin, anchor(5, { HospitalAMSP: 1 }, after(3)));
    expect(second).toMatchObject({ seq: 5, previousHead: headOf(3) });
    expect(await latest(ledger, 'RegulatorMSP')).toEqual(second);
    // The chain is per (org, log): another log of the org starts its own.
    await anchorReads(ledger, regulatorAdmin, anchor(1, {}, { log: 'auditor-reads.second' }));
    await anchorReads(ledger, regulatorAdmin, anchor(6, {}, after(5)));
  });

  it('is written by the org’s admin identity only: auditors, recorders, consent managers and role-less identities are refused', async () => {
    for (const role of ['auditor', 'recorder', 'consent-manager', undefined]) {
      const ledger = new InMemoryLedger();
      expect(
        await refusalOf(anchorReads(ledger, { mspId: 'RegulatorMSP', role }, anchor(1, { HospitalAMSP: 1 }))),
      ).toEqual({
        code: 'ACCESS_DENIED',
        message: `access denied: role '${role ?? 'none'}' of RegulatorMSP may not do this (needs admin)`,
      });
      expect(ledger.keys()).toEqual([]);
    }
  });

  it('refuses a window that ends after the transaction time, and malformed anchors', async () => {
    const ledger = new InMemoryLedger();
    const future = anchor(1, {}, { window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:10:00Z' } });
    expect(await refusalOf(anchorReads(ledger, regulatorAdmin, future, '2026-01-01T00:05:00.000Z'))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'window.to: must not be after the transaction time',
      violations: [{ path: 'window.to', rule: 'must not be after the transaction time' }],
    });
    expect(await refusalOf(anchorReads(ledger, regulatorAdmin, anchor(0, { 'not an msp': 1 })))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [
        { path: 'seq', rule: 'must be at least 1' },
        { path: 'readsByOwner.not an msp', rule: expect.stringMatching(/^must be an MSP id/) as unknown },
      ],
    });
    expect(ledger.keys()).toEqual([]);
  });

  it('answers NOT_FOUND for a log never anchored', async () => {
    expect(await refusalOf(latest(new InMemoryLedger(), 'RegulatorMSP'))).toEqual({
      code: 'NOT_FOUND',
      message: 'read log auditor-reads of RegulatorMSP has no anchor',
    });
  });

  it('lets a data owner page the anchors that count its records, by time, with the reader org and counts', async () => {
    const ledger = new InMemoryLedger();
    await anchorReads(ledger, regulatorAdmin, anchor(1, { HospitalAMSP: 2 }), '2026-01-01T01:00:00.000Z');
    await anchorReads(
      ledger,
      providerAdmin,
      anchor(7, { HospitalAMSP: 5, AIProviderMSP: 1 }),
      '2026-01-01T02:00:00.000Z',
    );
    await anchorReads(ledger, regulatorAdmin, anchor(2, { AIProviderMSP: 4 }, after(1)), '2026-01-01T03:00:00.000Z');
    await anchorReads(ledger, regulatorAdmin, anchor(3, { HospitalAMSP: 1 }, after(2)), '2026-01-01T04:00:00.000Z');

    const own = await query(ledger, { by: 'owner', value: 'HospitalAMSP' });
    expect(
      own.records.map((record) => [record.org, record.seq, record.readsByOwner.HospitalAMSP, record.txTime]),
    ).toEqual([
      ['RegulatorMSP', 1, 2, '2026-01-01T01:00:00.000Z'],
      ['AIProviderMSP', 7, 5, '2026-01-01T02:00:00.000Z'],
      ['RegulatorMSP', 3, 1, '2026-01-01T04:00:00.000Z'],
    ]);
    expect(own.bookmark).toBe('');

    const window = await query(ledger, {
      by: 'owner',
      value: 'HospitalAMSP',
      from: '2026-01-01T01:30:00Z',
      to: '2026-01-01T04:00:00Z',
    });
    expect(window.records.map((record) => record.seq)).toEqual([7, 3]);

    const first = await query(ledger, { by: 'owner', value: 'HospitalAMSP', pageSize: 2 });
    expect(first.records.map((record) => record.seq)).toEqual([1, 7]);
    const second = await query(ledger, { by: 'owner', value: 'HospitalAMSP', pageSize: 2, bookmark: first.bookmark });
    expect(second.records.map((record) => record.seq)).toEqual([3]);
    // A bookmark of another owner's anchors does not belong to this query.
    const other = await query(ledger, { by: 'owner', value: 'AIProviderMSP', pageSize: 1 });
    expect(await refusalOf(query(ledger, { by: 'owner', value: 'HospitalAMSP', bookmark: other.bookmark }))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'bookmark: does not belong to this query',
      violations: [{ path: 'bookmark', rule: 'does not belong to this query' }],
    });

    const reader = await query(ledger, { by: 'org', value: 'RegulatorMSP' });
    expect(reader.records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(
      await refusalOf(query(ledger, { by: 'org', value: 'RegulatorMSP' }, { mspId: 'HospitalAMSP' })),
    ).toMatchObject({
      code: 'ACCESS_DENIED',
    });
  });
});
