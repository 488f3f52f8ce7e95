import { PURPOSES, referenceCommitment, type Role, TRANSACTIONS } from '@aal/ledger-contract';
import { FAKE_ORG_CONTENT_KEY, installFakeInteractionsChaincode } from '../../testing/fake-interactions-chaincode';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { interactionWrites, nextTestBlock, testBlock } from '../../testing/block-builder';
import { interactionRequest } from '../../testing/interaction-request';

const CHANNEL = '/api/v1/channels/hospital-a';
const BASE = `${CHANNEL}/interactions`;
const commit = (field: 'actorRef' | 'conversationId' | 'tags', value: string): string =>
  referenceCommitment(FAKE_ORG_CONTENT_KEY, field, value);

/** Issue 10, class 9: clear actors, conversations and tags stay in the org; the ledger gets keyed commitments. */
describe('keyed commitments for actorRef, conversationId and tags (fake ledger)', () => {
  let app: AppHarness;
  beforeEach(async () => {
    app = await startAppHarness();
    installFakeInteractionsChaincode(app.ledger);
    await app.auditIndex.ingest('hospital-a', testBlock(0, []));
  });
  afterEach(() => app.close());

  const post = (path: string, body: unknown) => app.request('POST', path, { key: app.keys.recorder, body });
  const get = (path: string, role: Role = 'recorder') => app.request('GET', path, { key: app.keys[role] });
  const clear = { actorRef: 'jane.doe', conversationId: 'jane-visit-1', tags: ['patient-jane', 'triage'] };
  const committed = {
    actorRef: commit('actorRef', 'jane.doe'),
    conversationId: commit('conversationId', 'jane-visit-1'),
    tags: [commit('tags', 'patient-jane'), commit('tags', 'triage')],
  };
  /** Every argument the app sent to an Interactions transaction, as one string. */
  const sentToLedger = (): string =>
    JSON.stringify(app.ledger.calls.filter((call) => call.transaction.startsWith('Interactions:')));

  it('commits the clear values with the org key before recording a single record; the ledger never sees them', async () => {
    const response = await post(BASE, interactionRequest('ix-1', clear));
    expect(response.status).toBe(201);
    const { interaction } = (await response.json()) as { interaction: Record<string, unknown> };
    expect(interaction).toMatchObject(committed);
    const submitted = app.ledger.calls.find((call) => call.transaction === TRANSACTIONS.recordInteraction);
    expect(JSON.parse(submitted?.args[0] ?? '{}')).toMatchObject(committed);
    for (const value of ['jane.doe', 'jane-visit-1', 'patient-jane']) expect(sentToLedger()).not.toContain(value);
  });

  it('commits each record of a batch the same way, reading the org key once', async () => {
    const response = await post(`${BASE}/batch`, {
      records: [interactionRequest('b-1', clear), interactionRequest('b-2', { actorRef: 'nurse-2' })],
    });
    expect(response.status).toBe(201);
    const submitted = app.ledger.calls.find((call) => call.transaction === TRANSACTIONS.recordInteractions);
    const records = JSON.parse(submitted?.args[0] ?? '[]') as Record<string, unknown>[];
    expect(records[0]).toMatchObject(committed);
    expect(records[1]?.['actorRef']).toBe(commit('actorRef', 'nurse-2'));
    expect(sentToLedger()).not.toContain('jane.doe');
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.getOrgContentKey)).toHaveLength(1);
  });

  it('commits a value already in commitment format too: a client sends clear values', async () => {
    const lookalike = `hmac-sha256:${'ab'.repeat(32)}`;
    const response = await post(BASE, interactionRequest('ix-c', { actorRef: lookalike }));
    expect(response.status).toBe(201);
    const { interaction } = (await response.json()) as { interaction: Record<string, unknown> };
    expect(interaction['actorRef']).toBe(commit('actorRef', lookalike));
    expect(sentToLedger()).not.toContain(lookalike);
  });

  it('refuses purposes, data categories and review labels outside the vocabularies with 400 listing the allowed values', async () => {
    const refused = (await (
      await post(BASE, interactionRequest('ix-p', { purpose: 'jane-doe', dataCategories: ['jane'] }))
    ).json()) as { status: number; errors: { field: string; message: string }[] };
    expect(refused.status).toBe(400);
    expect(refused.errors).toEqual(
      expect.arrayContaining([
        { field: 'purpose', message: `must be one of ${PURPOSES.join(', ')}` },
        expect.objectContaining({ field: 'dataCategories[0]' }) as unknown,
      ]),
    );
    expect(app.ledger.calls.filter((call) => call.transaction.startsWith('Interactions:'))).toEqual([]);
  });

  it('queries and sums by the clear actorRef committed with its own key; usage by actor shows commitments', async () => {
    const response = await post(BASE, interactionRequest('ix-q', clear));
    const { interaction } = (await response.json()) as { interaction: Record<string, unknown> };
    await app.auditIndex.ingest(
      'hospital-a',
      nextTestBlock(app.auditIndex, 'hospital-a', [{ txId: 'c'.repeat(64), writes: interactionWrites([interaction]) }]),
    );
    const ids = async (query: string): Promise<string[]> =>
      ((await (await get(`${BASE}?${query}`)).json()) as { records: { id: string }[] }).records.map(
        (record) => record.id,
      );
    expect(await ids('by=actorRef&value=jane.doe')).toEqual(['HospitalAMSP:ix-q']);
    expect(await ids('by=actorRef&value=john.doe')).toEqual([]);
    // The stored commitment given as a value is committed again, so it finds nothing.
    expect(await ids(`by=actorRef&value=${encodeURIComponent(committed.actorRef)}`)).toEqual([]);
    const usage = (await (
      await get(`${CHANNEL}/audit/usage?groupBy=actor&by=actorRef&value=jane.doe`, 'admin')
    ).json()) as { records: number; value: string; groups: { key: string | null }[] };
    expect(usage.records).toBe(1);
    expect(usage.value).toBe(committed.actorRef);
    expect(usage.groups.map((group) => group.key)).toEqual([committed.actorRef]);
  });
});
