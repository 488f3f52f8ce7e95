import {
  batchedInteractionView,
  ContractError,
  sortedKeyJson,
  TRANSACTIONS,
  type BatchEntry,
} from '@aal/ledger-contract';
import { common } from '@hyperledger/fabric-protos';
import { DatabaseSync } from 'node:sqlite';
import { batchWrites, compositeKey, interactionWrites, testBlock, type TestWrite } from '../testing/block-builder';
import { FakeLedger } from '../testing/fake-ledger-client';
import { decodeBlock } from './block-decoder';
import { blockHeaderHash } from './block-hashes';
import { checkSample, type PointReader } from './index-sample-check';
import { AuditIndexStore } from './index-store';

const CHANNEL = 'ch';
const T0 = '2026-01-01T00:00:00.000Z';
const A = 'HospitalAMSP';
const P = 'AIProviderMSP';
const write = (type: string, key: string[], value: Record<string, unknown>): TestWrite => ({
  key: compositeKey(type, ...key),
  value: sortedKeyJson(value),
});
const interaction = (id: string, org: string): Record<string, unknown> => ({
  id,
  org,
  recordedBy: 'app-recorder',
  txId: 't'.repeat(64),
  txTime: T0,
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
  const { org: _o, recordedBy: _r, txId: _t, txTime: _time, ...input } = interaction(id, A);
  return input;
};
const consentOf = (id: string, controller: string, grantees: string[]): Record<string, unknown> => ({
  id,
  subjectRef: `${controller}:s-1`,
  grantees,
  decision: 'permit',
  purposes: ['ai-inference'],
  period: { start: '2025-01-01T00:00:00Z' },
  policyCommitment: `sha256:${'1'.repeat(64)}`,
  controller,
  grantedBy: 'app-consent-manager',
  grantedAt: T0,
  txId: '2'.repeat(64),
});
/** HospitalA's consent, readable by HospitalA; the provider's own consent, which HospitalA may not read. */
const ownConsent = consentOf('c-a', A, [`${P}:triage`]);
const foreignConsent = consentOf('c-p', P, ['RegulatorMSP']);
const revocation = {
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
  registeredBy: P,
  registeredByUser: 'app-admin',
  txId: '5'.repeat(64),
  txTime: T0,
};

/** Blocks 0–1: single interactions of two orgs, two consents, an artifact, then a batch of two. */
function blocks(): common.Block[] {
  return [
    testBlock(0, [
      { txId: '1'.repeat(64), writes: interactionWrites([interaction('i-a', A), interaction('i-p', P)]) },
      { txId: ownConsent['txId'] as string, writes: [write('consent', ['c-a'], ownConsent)] },
      { txId: '6'.repeat(64), writes: [write('consent', ['c-p'], foreignConsent)] },
      { txId: artifact.txId, writes: [write('artifact', ['ds-1'], artifact)] },
    ]),
    testBlock(1, [
      { txId: BATCH.batchId, writes: batchWrites(BATCH, [{ record: leaf('m-1') }, { record: leaf('m-2') }]) },
    ]),
  ];
}

/** The ledger's state as the honest chaincode answers it, by transaction and id. */
function ledgerState(): Map<string, Map<string, Record<string, unknown>>> {
  const batched = (id: string, leafIndex: number) =>
    // The fixture's leaf is a valid InteractionInput written as plain JSON; the view only spreads it.
    batchedInteractionView(BATCH, {
      batchId: BATCH.batchId,
      leafIndex,
      record: leaf(id) as unknown as BatchEntry['record'],
    });
  return new Map([
    [
      TRANSACTIONS.getInteraction,
      new Map([
        ['i-a', interaction('i-a', A)],
        ['i-p', interaction('i-p', P)],
      ]),
    ],
    [
      TRANSACTIONS.getBatchedInteraction,
      new Map<string, Record<string, unknown>>([
        ['m-1', { ...batched('m-1', 0) }],
        ['m-2', { ...batched('m-2', 1) }],
      ]),
    ],
    [
      TRANSACTIONS.getConsent,
      new Map([
        ['c-a', { ...ownConsent, status: 'active' }],
        ['c-p', { ...foreignConsent, status: 'active' }],
      ]),
    ],
    [TRANSACTIONS.getArtifact, new Map([['ds-1', artifact]])],
  ]);
}

/** A fake peer answering point reads from `state` (a missing id: NOT_FOUND, as the chaincode refuses). */
function peerOf(state: Map<string, Map<string, Record<string, unknown>>>): { fake: FakeLedger; reader: PointReader } {
  const fake = new FakeLedger();
  for (const [transaction, records] of state)
    fake.handlers.set(transaction, ({ args }) => {
      const found = records.get(args[0] ?? '');
      if (found === undefined) throw new ContractError({ code: 'NOT_FOUND', message: `${args[0]} does not exist` });
      return sortedKeyJson(found);
    });
  return { fake, reader: fake.clientFor('auditor') };
}

/** A block holding only a header numbered `number`, as qscc's GetBlockByTxID answers. */
function blockNumbered(number: number): Uint8Array {
  const header = new common.BlockHeader();
  header.setNumber(number);
  const block = new common.Block();
  block.setHeader(header);
  return block.serializeBinary();
}

describe('check --sample: the index against the chaincode point reads', () => {
  let database: DatabaseSync;
  let store: AuditIndexStore;
  beforeEach(async () => {
    database = new DatabaseSync(':memory:');
    store = await AuditIndexStore.over(database);
    for (const block of blocks()) {
      const headerHash = Buffer.from(blockHeaderHash(block.getHeader()!)).toString('hex');
      await store.applyBlock(CHANNEL, decodeBlock(block, 'audit'), { headerHash, newest: undefined, anomalies: [] });
    }
  });
  afterEach(() => store.close());
  const hospitalA = { everything: false, mspId: A };
  const readIds = (fake: FakeLedger): string[] =>
    fake.calls.map((call) => `${call.transaction} ${call.args[0]}`).sort();

  it('reads every in-scope record of each kind through its own point read and finds no difference in an honest index', async () => {
    const { fake, reader } = peerOf(ledgerState());
    const result = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' });
    expect(result).toEqual({
      channel: CHANNEL,
      checkpoint: 1,
      checked: { interaction: 1, 'batched-interaction': 2, consent: 1, artifact: 1 },
      pending: 0,
      differences: [],
    });
    // HospitalA's auditor reads only what the chaincode lets it read: not the provider's interaction or consent.
    expect(readIds(fake)).toEqual([
      'Artifacts:GetArtifact ds-1',
      'Batches:GetBatchedInteraction m-1',
      'Batches:GetBatchedInteraction m-2',
      'Consents:GetConsent c-a',
      'Interactions:GetInteraction i-a',
    ]);
    expect(fake.calls.every((call) => call.role === 'auditor' && call.operation === 'evaluate')).toBe(true);
  });

  it("samples every org's records for an auditor of an auditor org", async () => {
    const { fake, reader } = peerOf(ledgerState());
    const result = await checkSample({
      store,
      reader,
      channel: CHANNEL,
      scope: { everything: true, mspId: 'RegulatorMSP' },
      size: 'all',
    });
    expect(result.checked).toEqual({ interaction: 2, 'batched-interaction': 2, consent: 2, artifact: 1 });
    expect(result.differences).toEqual([]);
    expect(readIds(fake)).toContain('Interactions:GetInteraction i-p');
    expect(readIds(fake)).toContain('Consents:GetConsent c-p');
  });

  it('samples at most n records of each kind', async () => {
    const { fake, reader } = peerOf(ledgerState());
    const result = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 1 });
    expect(result.checked).toEqual({ interaction: 1, 'batched-interaction': 1, consent: 1, artifact: 1 });
    expect(fake.calls).toHaveLength(4);
    const none = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 0 });
    expect(none.checked).toEqual({ interaction: 0, 'batched-interaction': 0, consent: 0, artifact: 0 });
  });

  it('reads only records of the first block asked for and later, by seed or all', async () => {
    for (const size of ['all', 10] as const) {
      const { fake, reader } = peerOf(ledgerState());
      const result = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size, fromBlock: 1 });
      expect(result.checked).toEqual({ interaction: 0, 'batched-interaction': 2, consent: 0, artifact: 0 });
      expect(readIds(fake)).toEqual(['Batches:GetBatchedInteraction m-1', 'Batches:GetBatchedInteraction m-2']);
    }
    const { fake, reader } = peerOf(ledgerState());
    const beyond = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all', fromBlock: 2 });
    expect(beyond).toMatchObject({ checkpoint: 1, checked: { interaction: 0, 'batched-interaction': 0 } });
    expect(fake.calls).toHaveLength(0);
  });

  it('reports a tampered row of each kind by id, block and field names, never the values', async () => {
    const tamper = (table: string, idColumn: string, id: string, field: string, value: unknown): void => {
      const row = database.prepare(`SELECT record_json FROM ${table} WHERE ${idColumn} = ?`).get(id) as {
        record_json: string;
      };
      const record = { ...(JSON.parse(row.record_json) as Record<string, unknown>), [field]: value };
      database.prepare(`UPDATE ${table} SET record_json = ? WHERE ${idColumn} = ?`).run(sortedKeyJson(record), id);
    };
    tamper('interactions', 'record_id', 'i-a', 'requestModel', 'secret-model');
    tamper('interactions', 'record_id', 'm-2', 'latencyMs', 99);
    tamper('consents', 'consent_id', 'c-a', 'purposes', ['marketing']);
    tamper('artifacts', 'artifact_id', 'ds-1', 'sha256', 'f'.repeat(64));
    const { reader } = peerOf(ledgerState());
    const result = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' });
    expect(result.differences.sort()).toEqual([
      'artifact ds-1 (block 0): the index and the chaincode differ in sha256',
      'batched-interaction m-2 (block 1): the index and the chaincode differ in latencyMs',
      'consent c-a (block 0): the index and the chaincode differ in purposes',
      'interaction i-a (block 0): the index and the chaincode differ in requestModel',
    ]);
    expect(result.differences.join('\n')).not.toContain('secret-model');
  });

  it("reports a record the chaincode does not hold with the chaincode's refusal code", async () => {
    const state = ledgerState();
    state.get(TRANSACTIONS.getBatchedInteraction)?.delete('m-1');
    const { reader } = peerOf(state);
    const result = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' });
    expect(result.differences).toEqual([
      'batched-interaction m-1 (block 1): the chaincode refused the point read (NOT_FOUND: m-1 does not exist)',
    ]);
  });

  it('counts a consent revoked after the checkpoint as pending, and one revoked within it but missing as a difference', async () => {
    const state = ledgerState();
    state.get(TRANSACTIONS.getConsent)?.set('c-a', { ...ownConsent, ...revocation, status: 'revoked' });
    const { fake, reader } = peerOf(state);
    fake.systemAnswers.push(blockNumbered(2));
    const later = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' });
    expect(later).toMatchObject({ pending: 1, differences: [] });
    expect(fake.calls.find((call) => call.operation === 'evaluateSystem')).toMatchObject({
      transaction: 'GetBlockByTxID',
      args: [CHANNEL, revocation.revocationTxId],
    });
    fake.systemAnswers.push(blockNumbered(1));
    const missed = await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' });
    expect(missed).toMatchObject({
      pending: 0,
      differences: ['consent c-a (block 0): revoked in block 1, at or before the checkpoint 1, but not in the index'],
    });
  });

  it('compares a revoked consent as revoked, without the status the chaincode computes when read', async () => {
    const revokedBlock = testBlock(2, [
      { txId: revocation.revocationTxId, writes: [write('consent', ['c-a'], { ...ownConsent, ...revocation })] },
    ]);
    const headerHash = Buffer.from(blockHeaderHash(revokedBlock.getHeader()!)).toString('hex');
    await store.applyBlock(CHANNEL, decodeBlock(revokedBlock, 'audit'), {
      headerHash,
      newest: undefined,
      anomalies: [],
    });
    const state = ledgerState();
    state.get(TRANSACTIONS.getConsent)?.set('c-a', { ...ownConsent, ...revocation, status: 'revoked' });
    const { reader } = peerOf(state);
    expect(await checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' })).toMatchObject({
      pending: 0,
      differences: [],
    });
  });

  it('stops on a failure that is not the chaincode answering (the peer unreachable)', async () => {
    const { fake, reader } = peerOf(ledgerState());
    fake.failures.push(new Error('14 UNAVAILABLE: connection refused'));
    await expect(checkSample({ store, reader, channel: CHANNEL, scope: hospitalA, size: 'all' })).rejects.toThrow(
      'UNAVAILABLE',
    );
  });

  it('samples nothing on a channel the index holds no block of', async () => {
    const { fake, reader } = peerOf(ledgerState());
    const result = await checkSample({ store, reader, channel: 'other', scope: hospitalA, size: 'all' });
    expect(result).toMatchObject({ checkpoint: undefined, differences: [] });
    expect(fake.calls).toHaveLength(0);
  });
});
