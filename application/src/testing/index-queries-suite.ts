import { sortedKeyJson } from '@aal/ledger-contract';
import { type common, peer } from '@hyperledger/fabric-protos';
import { batchWrites, compositeKey, interactionWrites, testBlock, type TestWrite } from './block-builder';
import { decodeBlock } from '../audit-index/block-decoder';
import { blockHeaderHash } from '../audit-index/block-hashes';
import { auditRecordPage, batchPage, consentHistory, consentPage, interactionPage } from '../audit-index/index-queries';
import type { AuditIndexStore } from '../audit-index/index-store';

const T0 = '2026-01-01T00:00:00.000Z';
const A = 'HospitalAMSP';
const write = (type: string, key: string[], value: Record<string, unknown>): TestWrite => ({
  key: compositeKey(type, ...key),
  value: sortedKeyJson(value),
});
const interaction = (id: string, org: string, txTime: string): Record<string, unknown> => ({
  id,
  org,
  recordedBy: 'app-recorder',
  txId: 't'.repeat(64),
  txTime,
  startTime: '2026-01-01T00:00:00Z',
  endTime: '2026-01-01T00:00:01Z',
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o',
  usage: { inputTokens: 1, outputTokens: 1, source: 'provider' },
  cost: { status: 'unpriced' },
  latencyMs: 1,
  status: 'ok',
  applicationId: 'app-1',
  promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
});
const leaf = (id: string): Record<string, unknown> => {
  const { org: _o, recordedBy: _r, txId: _t, txTime: _time, ...input } = interaction(id, A, T0);
  return input;
};
const consent = {
  id: 'c-1',
  subjectRef: `${A}:s-1`,
  grantees: ['AIProviderMSP:triage'],
  decision: 'permit',
  purposes: ['ai-inference'],
  period: { start: '2025-01-01T00:00:00Z' },
  policyCommitment: `sha256:${'1'.repeat(64)}`,
  controller: A,
  grantedBy: 'app-consent-manager',
  grantedAt: T0,
  txId: '2'.repeat(64),
};
const revoked = {
  ...consent,
  revokedAt: '2026-01-03T00:00:00.000Z',
  revokedBy: 'app-consent-manager',
  revocationReason: 'subject-request',
  revocationTxId: '3'.repeat(64),
};
const BATCH = { batchId: 'b'.repeat(64), org: A, recordedBy: 'app-recorder', txTime: '2026-01-02T00:00:00.000Z' };
const artifact = {
  id: 'ds-1',
  kind: 'dataset',
  name: 'notes',
  version: '1',
  sha256: '4'.repeat(64),
  registeredBy: A,
  registeredByUser: 'app-admin',
  txId: '5'.repeat(64),
  txTime: T0,
};
const run = {
  id: 'run-1',
  modelArtifactId: 'm-1',
  datasetArtifactIds: ['ds-1'],
  org: 'AIProviderMSP',
  recordedBy: 'app-admin',
  txId: '6'.repeat(64),
  txTime: T0,
  consentCoverage: [],
};
const annotation = {
  id: 'n-1',
  kind: 'flag',
  severity: 'high',
  interactionId: 'i-a',
  org: A,
  annotatedBy: 'app-recorder',
  txId: '7'.repeat(64),
  txTime: T0,
};
const receipt = {
  subjectRef: `${A}:s-1`,
  org: A,
  erasedAt: '2026-01-04T00:00:00.000Z',
  erasedBy: 'app-admin',
  txId: '8'.repeat(64),
};

/** Blocks 0–3: interactions of two orgs, a batch, a consent and its revocation, every other kind, an erasure. */
/** Records the blocks of {@link indexQueryBlocks} hold, for the decoder's own test. */
export const INDEX_QUERY_FIXTURES = { consent, batch: BATCH };

/** Four blocks holding a record of every kind the index stores, one invalid transaction among them. */
export function indexQueryBlocks() {
  return [
    testBlock(0, [
      {
        txId: '1'.repeat(64),
        writes: interactionWrites([interaction('i-a', A, T0), interaction('i-b', 'AIProviderMSP', T0)]),
      },
      {
        txId: consent.txId,
        writes: [
          write('consent', ['c-1'], consent),
          { key: `consent-by-subjectRef\u0000x\u0000c-1\u0000`, value: '\u0001' },
        ],
      },
      { txId: artifact.txId, writes: [write('artifact', ['ds-1'], artifact)] },
      {
        txId: '9'.repeat(64),
        writes: [write('artifact', ['ds-x'], { ...artifact, id: 'ds-x' })],
        code: peer.TxValidationCode.MVCC_READ_CONFLICT,
      },
    ]),
    testBlock(1, [
      { txId: BATCH.batchId, writes: batchWrites(BATCH, [{ record: leaf('m-1') }, { record: leaf('m-2') }]) },
      { txId: run.txId, writes: [write('training-run', ['run-1'], run)] },
      { txId: annotation.txId, writes: [write('annotation', ['i-a', 'n-1'], annotation)] },
    ]),
    testBlock(2, [{ txId: revoked.revocationTxId, writes: [write('consent', ['c-1'], revoked)] }]),
    testBlock(3, [{ txId: receipt.txId, writes: [write('erasure-receipt', [receipt.subjectRef], receipt)] }]),
  ];
}

type CountedTable = 'consents' | 'consent_versions' | 'consent_paths' | 'consent_readers' | 'batches' | 'artifacts';

/** How many rows a table of the store holds. */
async function rowCount(store: AuditIndexStore, table: CountedTable): Promise<number> {
  const row = await store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Applies a block as the index does, without the chain checks (these blocks are not chained). */
async function apply(store: AuditIndexStore, block: common.Block): Promise<{ applied: boolean }> {
  const header = block.getHeader();
  if (header === undefined) throw new Error('test block without a header');
  const headerHash = Buffer.from(blockHeaderHash(header)).toString('hex');
  return store.applyBlock('ch', decodeBlock(block, 'audit'), { headerHash, newest: undefined, anomalies: [] });
}

/**
 * The index's queries over every record kind — interaction, batch and consent pages, consent
 * history, the other audit records — run against each backend (SQLite in the unit tests,
 * PostgreSQL in `*.postgres.test.ts`, through {@link describeAuditIndexStore}). `openEmpty` opens
 * a store over an empty database.
 */
export function describeIndexQueries(backend: string, openEmpty: () => Promise<AuditIndexStore>): void {
  describe(`audit index queries over every record kind (${backend})`, () => {
    const opened: AuditIndexStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    const indexed = async (): Promise<AuditIndexStore> => {
      const store = await openEmpty();
      opened.push(store);
      for (const block of indexQueryBlocks()) await apply(store, block);
      return store;
    };

    it('pages interactions, batched ones included, by txTime then id, scoped to an org, with an exclusive cursor', async () => {
      const store = await indexed();
      const filter = { channel: 'ch', by: 'applicationId' as const, value: 'app-1', atBlock: 3 };
      const first = await interactionPage(store.db, filter, 'asc', 2);
      expect(first.records.map((record) => record.id)).toEqual(['i-a', 'i-b']);
      const second = await interactionPage(store.db, filter, 'asc', 2, first.next);
      expect(second.records.map((record) => [record.id, record.batchId, record.leafIndex])).toEqual([
        ['m-1', BATCH.batchId, 0],
        ['m-2', BATCH.batchId, 1],
      ]);
      const own = await interactionPage(store.db, { ...filter, org: 'AIProviderMSP' }, 'desc', 10);
      expect(own.records.map((record) => record.id)).toEqual(['i-b']);
      expect(own.next).toBeUndefined();
      // At block 0 the batch is not there yet.
      expect((await interactionPage(store.db, { ...filter, atBlock: 0 }, 'asc', 10)).records).toHaveLength(2);
    });

    it('lists batches by org or by a record field, with transaction and block', async () => {
      const store = await indexed();
      const byApp = await batchPage(
        store.db,
        { channel: 'ch', by: 'applicationId', value: 'app-1', atBlock: 3 },
        'asc',
        10,
      );
      expect(byApp.records).toEqual([
        { ...BATCH, size: 2, root: 'f'.repeat(64), txId: BATCH.batchId, blockNumber: '1' },
      ]);
      expect(
        (await batchPage(store.db, { channel: 'ch', by: 'org', value: A, org: 'AIProviderMSP', atBlock: 3 }, 'asc', 10))
          .records,
      ).toEqual([]);
    });

    it('keeps consent history, and the status as of the height: active before the revocation block, erased after the receipt', async () => {
      const store = await indexed();
      const now = '2026-02-01T00:00:00.000Z';
      const query = { by: 'grantee' as const, value: 'AIProviderMSP:triage' };
      const at1 = await consentPage(store.db, { channel: 'ch', atBlock: 1 }, query, now, 10);
      expect(at1.records.map((record) => [record.id, record.status])).toEqual([['c-1', 'active']]);
      const at2 = await consentPage(store.db, { channel: 'ch', atBlock: 2 }, { ...query, status: 'revoked' }, now, 10);
      expect(at2.records.map((record) => [record.id, record.revocationReason])).toEqual([['c-1', 'subject-request']]);
      const at3 = await consentPage(store.db, { channel: 'ch', atBlock: 3 }, query, now, 10);
      expect(at3.records.map((record) => record.status)).toEqual(['erased']);
      // The grantee's org reads it; an unrelated org does not.
      expect(
        (await consentPage(store.db, { channel: 'ch', atBlock: 3, readerOrg: 'AIProviderMSP' }, query, now, 10))
          .records,
      ).toHaveLength(1);
      expect(
        (await consentPage(store.db, { channel: 'ch', atBlock: 3, readerOrg: 'HospitalBMSP' }, query, now, 10)).records,
      ).toHaveLength(0);

      const history = await consentHistory(store.db, { channel: 'ch', atBlock: 3 }, 'c-1');
      expect(history?.versions.map((version) => [version.change, version.txId, version.blockNumber])).toEqual([
        ['revocation', revoked.revocationTxId, '2'],
        ['grant', consent.txId, '0'],
      ]);
      expect((await consentHistory(store.db, { channel: 'ch', atBlock: 1 }, 'c-1'))?.versions).toHaveLength(1);
      expect(await consentHistory(store.db, { channel: 'ch', atBlock: 3, readerOrg: 'HospitalBMSP' }, 'c-1')).toEqual({
        readable: false,
        versions: [],
      });
      expect(await consentHistory(store.db, { channel: 'ch', atBlock: 3 }, 'c-none')).toBeUndefined();
    });

    it('lists annotations, artifacts, training runs and erasure receipts in ledger order, scoped to an org', async () => {
      const store = await indexed();
      const all = { channel: 'ch', atBlock: 3 };
      expect((await auditRecordPage(store.db, 'artifact', all, 10)).records).toEqual([
        { record: artifact, txId: artifact.txId, blockNumber: '0' },
      ]);
      expect((await auditRecordPage(store.db, 'training-run', all, 10)).records.map((row) => row.record.id)).toEqual([
        'run-1',
      ]);
      expect((await auditRecordPage(store.db, 'training-run', { ...all, org: A }, 10)).records).toEqual([]);
      expect((await auditRecordPage(store.db, 'annotation', all, 10)).records.map((row) => row.blockNumber)).toEqual([
        '1',
      ]);
      expect((await auditRecordPage(store.db, 'erasure-receipt', { ...all, atBlock: 2 }, 10)).records).toEqual([]);
      const receipts = await auditRecordPage(store.db, 'erasure-receipt', all, 10);
      expect(receipts.records).toEqual([{ record: receipt, txId: receipt.txId, blockNumber: '3' }]);
    });

    it('applies a grant and its revocation in one block, beside other grants, and a revocation whose grant it never saw', async () => {
      const store = await openEmpty();
      opened.push(store);
      const other = { ...consent, id: 'c-2', txId: 'a'.repeat(64), purposes: ['research', 'treatment'] };
      const late = { ...revoked, id: 'c-3', txId: 'b'.repeat(64), revocationTxId: 'd'.repeat(64) };
      await apply(
        store,
        testBlock(0, [
          { txId: consent.txId, writes: [write('consent', ['c-1'], consent)] },
          { txId: other.txId, writes: [write('consent', ['c-2'], other)] },
          { txId: revoked.revocationTxId, writes: [write('consent', ['c-1'], revoked)] },
        ]),
      );
      await apply(store, testBlock(1, [{ txId: late.revocationTxId, writes: [write('consent', ['c-3'], late)] }]));
      const now = '2026-02-01T00:00:00.000Z';
      const at = { channel: 'ch', atBlock: 1 };
      const page = await consentPage(store.db, at, { by: 'grantee', value: 'AIProviderMSP:triage' }, now, 10);
      expect(page.records.map((record) => [record.id, record.status, record.revocationReason ?? null])).toEqual([
        ['c-1', 'revoked', 'subject-request'],
        ['c-2', 'active', null],
        ['c-3', 'revoked', 'subject-request'],
      ]);
      const history = await consentHistory(store.db, at, 'c-1');
      expect(history?.versions.map((version) => [version.change, version.txId, version.blockNumber])).toEqual([
        ['revocation', revoked.revocationTxId, '0'],
        ['grant', consent.txId, '0'],
      ]);
      // Each purpose of c-2 is a query path of its own.
      for (const purpose of other.purposes)
        expect(
          (await consentPage(store.db, at, { by: 'purpose', value: purpose }, now, 10)).records.map(
            (record) => record.id,
          ),
        ).toEqual(['c-2']);
      // The grant the index never saw: the consent's row comes from its revocation, the grant's transaction named.
      expect((await consentHistory(store.db, at, 'c-3'))?.versions.map((version) => version.change)).toEqual([
        'revocation',
      ]);
      const row = await store.db
        .selectFrom('consents')
        .select(['tx_id', 'revocation_tx_id'])
        .where('consent_id', '=', 'c-3')
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ tx_id: late.txId, revocation_tx_id: late.revocationTxId });
      // The revoked consent's row keeps its grant's place and JSON; the revocation's are beside them.
      const granted = await store.db
        .selectFrom('consents')
        .select(['tx_id', 'block_number', 'tx_index', 'record_json', 'revocation_tx_id', 'revoked_json'])
        .where('consent_id', '=', 'c-1')
        .executeTakeFirstOrThrow();
      expect(granted).toEqual({
        tx_id: consent.txId,
        block_number: 0,
        tx_index: 0,
        record_json: sortedKeyJson(consent),
        revocation_tx_id: revoked.revocationTxId,
        revoked_json: sortedKeyJson(revoked),
      });
    });

    it('applies a block of more consents than one statement writes, each with its paths and readers', async () => {
      const store = await openEmpty();
      opened.push(store);
      const count = 1_203;
      const many = Array.from({ length: count }, (_, i) => ({
        ...consent,
        id: `c-many-${i}`,
        txId: i.toString(16).padStart(64, '0'),
        ...(i % 2 === 0 ? { grantees: ['AIProviderMSP:triage', 'HospitalBMSP:scribe'] } : {}),
      }));
      await apply(
        store,
        testBlock(
          0,
          many.map((one) => ({ txId: one.txId, writes: [write('consent', [one.id], one)] })),
        ),
      );
      const rows = (table: CountedTable) => rowCount(store, table);
      // Paths: the subject, one or two grantees, one purpose; readers: the controller and one or two grantee orgs.
      expect([
        await rows('consents'),
        await rows('consent_versions'),
        await rows('consent_paths'),
        await rows('consent_readers'),
      ]).toEqual([count, count, count * 3 + 602, count * 2 + 602]);
      const page = await consentPage(
        store.db,
        { channel: 'ch', atBlock: 0, readerOrg: 'HospitalBMSP' },
        { by: 'grantee', value: 'HospitalBMSP:scribe' },
        '2026-02-01T00:00:00.000Z',
        1_000,
      );
      expect(page.records).toHaveLength(602);
    });

    it('changes nothing when a block is ingested twice', async () => {
      const store = await indexed();
      const again = await apply(store, indexQueryBlocks()[2] ?? testBlock(2, []));
      expect(again.applied).toBe(false);
      const count = (table: CountedTable) => rowCount(store, table);
      expect([
        await count('consent_versions'),
        await count('consents'),
        await count('batches'),
        await count('artifacts'),
      ]).toEqual([2, 1, 1, 1]);
    });
  });
}
