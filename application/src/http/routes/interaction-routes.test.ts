import { readFileSync } from 'node:fs';
import { ROLES, type Role, TRANSACTIONS } from '@aal/ledger-contract';
import { contentCommitment, recordSalt } from '@aal/ledger-contract';
import {
  FAKE_ORG_CONTENT_KEY,
  FAKE_SUBJECT_KEY,
  installFakeInteractionsChaincode,
  type FakeInteractionState,
} from '../../testing/fake-interactions-chaincode';
import { startAppHarness, type AppHarness } from '../../testing/app-harness';
import { interactionWrites, nextTestBlock, testBlock } from '../../testing/block-builder';
import { interactionRequest, TEST_PROMPT } from '../../testing/interaction-request';

const BASE = '/api/v1/channels/hospital-a/interactions';
const PROMPT = TEST_PROMPT;

const interaction = interactionRequest;

interface Problem {
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

describe('interaction routes (fake ledger)', () => {
  let app: AppHarness;
  let chaincode: FakeInteractionState;
  beforeEach(async () => {
    app = await startAppHarness();
    chaincode = installFakeInteractionsChaincode(app.ledger);
    // The audit index has read the channel's first block: index-backed queries answer.
    await app.auditIndex.ingest('hospital-a', testBlock(0, []));
  });
  afterEach(() => app.close());

  const post = (path: string, body: unknown, role: Role = 'recorder') =>
    app.request('POST', path, { key: app.keys[role], body });
  const get = (path: string, role: Role = 'recorder') => app.request('GET', path, { key: app.keys[role] });

  it('commits prompt and output with the org content key, sends only commitments, and answers 201 then 200 for a repeat', async () => {
    const response = await post(BASE, interaction('ix-1', { output: [{ role: 'assistant', content: 'Summary…' }] }));
    expect(response.status).toBe(201);
    // A bare id names this org's record: the app qualifies it with its MSP id.
    expect(response.headers.get('location')).toBe(`${BASE}/HospitalAMSP%3Aix-1`);
    const body = (await response.json()) as {
      interaction: Record<string, unknown>;
      transactionId: string;
      blockNumber: string;
    };
    const salt = recordSalt(FAKE_ORG_CONTENT_KEY, 'HospitalAMSP:ix-1');
    expect(body.interaction['promptCommitment']).toBe(contentCommitment(salt, PROMPT));
    expect(body.interaction['outputCommitment']).toBe(
      contentCommitment(salt, [{ role: 'assistant', content: 'Summary…' }]),
    );
    expect(body.interaction).not.toHaveProperty('prompt');
    expect(body).toMatchObject({
      transactionId: 'c'.repeat(64),
      blockNumber: expect.stringMatching(/^\d+$/) as string,
    });
    const submits = app.ledger.calls.filter(
      (call) => call.operation === 'submit' && call.transaction.startsWith('Interactions:'),
    );
    expect(submits.map((call) => call.transaction)).toEqual([TRANSACTIONS.recordInteraction]);
    expect(submits[0]?.options).toEqual({ idempotent: true });
    expect(JSON.stringify(app.ledger.calls)).not.toContain('discharge letter');
    expect(app.logLines.join('\n')).not.toContain('discharge letter');

    chaincode.interactions.set('HospitalAMSP:ix-1', {
      ...chaincode.interactions.get('HospitalAMSP:ix-1'),
      txId: 'd'.repeat(64),
    });
    const repeat = await post(BASE, interaction('ix-1', { output: [{ role: 'assistant', content: 'Summary…' }] }));
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toEqual({
      interaction: expect.objectContaining({ id: 'HospitalAMSP:ix-1' }) as unknown,
    });
    expect((await post(BASE, interaction('ix-1', { prompt: 'other' }))).status).toBe(409);
  });

  it('uses the subject key for a record with a subject, and refuses erased or unknown subjects with 422', async () => {
    chaincode.subjects.set('sub-1', FAKE_SUBJECT_KEY);
    chaincode.subjects.set('sub-gone', 'erased');
    const withSubject = { subjectRef: 'sub-1', purpose: 'ai-inference' };
    const response = await post(BASE, interaction('ix-s', withSubject));
    expect(response.status).toBe(201);
    const { interaction: stored } = (await response.json()) as { interaction: Record<string, unknown> };
    expect(stored['promptCommitment']).toBe(
      contentCommitment(recordSalt(FAKE_SUBJECT_KEY, 'HospitalAMSP:ix-s'), PROMPT),
    );
    const erased = (await (
      await post(BASE, interaction('ix-e', { subjectRef: 'sub-gone', purpose: 'ai-inference' }))
    ).json()) as Problem;
    expect(erased).toMatchObject({
      status: 422,
      errors: [{ field: 'subjectRef', message: 'names an erased subject' }],
    });
    const unknown = (await (
      await post(BASE, interaction('ix-u', { subjectRef: 'sub-none', purpose: 'ai-inference' }))
    ).json()) as Problem;
    expect(unknown).toMatchObject({
      status: 422,
      errors: [{ field: 'subjectRef', message: 'is not registered in this org' }],
    });
  });

  it('accepts precomputed commitments without reading any key', async () => {
    const commitment = `hmac-sha256:${'ab'.repeat(32)}`;
    const { prompt: _prompt, ...record } = interaction('ix-pre');
    const response = await post(BASE, { ...record, promptCommitment: commitment });
    expect(response.status).toBe(201);
    expect(app.ledger.calls.map((call) => call.transaction)).toEqual([TRANSACTIONS.recordInteraction]);
  });

  it('initialises the org keys with the admin identity and transient random keys when they do not exist yet', async () => {
    chaincode.orgKeysInitialised = false;
    expect((await post(BASE, interaction('ix-init'))).status).toBe(201);
    const init = app.ledger.calls.find((call) => call.transaction === TRANSACTIONS.initOrgKeys);
    expect(init?.role).toBe('admin');
    expect(init?.options?.transient).toEqual({
      contentKey: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
      lookupPepper: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    });
  });

  it('refuses invalid records with 400 naming every failing field, before the ledger', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [interaction('ix', { promptCommitment: `hmac-sha256:${'0'.repeat(64)}` }), ['prompt']],
      [{ ...interaction('ix'), prompt: undefined }, ['prompt']],
      [
        interaction('ix', {
          endTime: '2026-01-01T09:00:00Z',
          cost: { status: 'unpriced', amountMinor: 0 },
          subjectRef: 's',
        }),
        ['cost.amountMinor', 'endTime', 'purpose'],
      ],
      [
        interaction('bad id', { usage: { inputTokens: -1, outputTokens: 1, source: 'guess' }, surprise: 1 }),
        ['id', 'surprise', 'usage.inputTokens', 'usage.source'],
      ],
      [interaction('ix', { status: 'error', output: [] }), ['errorType', 'output']],
    ];
    for (const [body, fields] of cases) {
      const problem = (await (await post(BASE, body)).json()) as Problem;
      expect(problem.status).toBe(400);
      expect([...new Set(problem.errors?.map((error) => error.field))].sort()).toEqual(fields);
    }
    expect(app.ledger.calls).toEqual([]);
  });

  it('refuses content whose keys collide after Unicode NFC with 400, before the ledger: it has no canonical form', async () => {
    // Two different prompts that canonicalisation would merge into one: the values swap between the spellings.
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    const message = `holds the key "${nfc}" twice after Unicode NFC normalisation (NFC and NFD spellings of one key): give each key once`;
    for (const content of [
      { [nfc]: 'a', [nfd]: 'b' },
      { [nfd]: 'a', [nfc]: 'b' },
    ]) {
      const single = (await (
        await post(BASE, interaction('ix-nfc', { prompt: [{ role: 'user', content }] }))
      ).json()) as Problem;
      expect(single).toMatchObject({ status: 400, errors: [{ field: 'prompt[0].content', message }] });
    }
    const batch = (await (
      await post(`${BASE}/batch`, {
        records: [interaction('b-ok'), interaction('b-nfc', { output: [{ role: 'tool', [nfc]: 1, [nfd]: 2 }] })],
      })
    ).json()) as Problem;
    expect(batch).toMatchObject({ status: 400, errors: [{ field: 'records[1].output[0]', message }] });
    const verify = (await (
      await post(`${BASE}/v-1/verify`, { prompt: [{ role: 'user', [nfd]: 1, [nfc]: 1 }] }, 'auditor')
    ).json()) as Problem;
    expect(verify).toMatchObject({ status: 400, errors: [{ field: 'prompt[0]', message }] });
    expect(app.ledger.calls).toEqual([]);
    expect(chaincode.interactions.size).toBe(0);
    // One spelling alone is fine, in either normalisation.
    expect(
      (await post(BASE, interaction('ix-nfd', { prompt: [{ role: 'user', content: { [nfd]: 'a' } }] }))).status,
    ).toBe(201);
  });

  it('records a batch in one transaction, names the new ids, and refuses more than 500 records', async () => {
    const response = await post(`${BASE}/batch`, {
      records: [interaction('b-1'), interaction('b-2', { prompt: [{ role: 'user', content: 'x' }] })],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { records: { id: string }[]; created: string[] };
    expect(body.created).toEqual(['HospitalAMSP:b-1', 'HospitalAMSP:b-2']);
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.getOrgContentKey)).toHaveLength(1);
    const tooMany = (await (
      await post(`${BASE}/batch`, {
        records: Array.from({ length: 501 }, (_, index) =>
          interaction(`m-${index}`, { prompt: undefined, promptCommitment: `hmac-sha256:${'0'.repeat(64)}` }),
        ),
      })
    ).json()) as Problem;
    expect(tooMany).toMatchObject({ status: 400, errors: [{ field: 'records' }] });
  });

  it('reads, queries the audit index with an opaque cursor, and annotates', async () => {
    const stored: Record<string, unknown>[] = [];
    for (const id of ['q-1', 'q-2', 'q-3']) {
      const response = await post(BASE, interaction(id));
      expect(response.status).toBe(201);
      stored.push(((await response.json()) as { interaction: Record<string, unknown> }).interaction);
    }
    // The peer delivers the committed records to the index (block 1 after the seeded block 0).
    await app.auditIndex.ingest(
      'hospital-a',
      nextTestBlock(app.auditIndex, 'hospital-a', [{ txId: 'c'.repeat(64), writes: interactionWrites(stored) }]),
    );
    expect((await get(`${BASE}/q-2`)).status).toBe(200);
    expect((await get(`${BASE}/absent`)).status).toBe(404);
    const first = (await (await get(`${BASE}?by=org&value=HospitalAMSP&pageSize=2`)).json()) as {
      records: { id: string }[];
      nextCursor: string | null;
    };
    expect(first.records.map((record) => record.id)).toEqual(['HospitalAMSP:q-1', 'HospitalAMSP:q-2']);
    const second = (await (
      await get(`${BASE}?by=org&value=HospitalAMSP&pageSize=2&cursor=${first.nextCursor ?? ''}`)
    ).json()) as { records: { id: string }[]; nextCursor: string | null };
    expect(second).toEqual({
      records: [expect.objectContaining({ id: 'HospitalAMSP:q-3' })],
      nextCursor: null,
      asOfBlock: '1',
    });
    expect((await get(`${BASE}?by=org&value=HospitalAMSP&cursor=not-a-cursor`)).status).toBe(400);
    expect(app.ledger.calls.filter((call) => call.transaction === TRANSACTIONS.queryInteractions)).toEqual([]);
    const badQuery = (await (await get(`${BASE}?by=colour&value=x&pageSize=0&from=yesterday`)).json()) as Problem;
    expect(badQuery.errors?.map((error) => error.field).sort()).toEqual(['by', 'from', 'pageSize']);
    expect((await get(`${BASE}?by=org&value=AIProviderMSP`)).status).toBe(403);

    const annotation = { id: 'a-1', kind: 'flag', severity: 'high', labels: ['hallucination'] };
    expect((await post(`${BASE}/q-1/annotations`, annotation)).status).toBe(201);
    expect((await post(`${BASE}/q-1/annotations`, annotation)).status).toBe(201);
    expect((await post(`${BASE}/q-1/annotations`, { id: 'a-2', kind: 'flag', note: 'free text' })).status).toBe(400);
    const list = (await (await get(`${BASE}/q-1/annotations`, 'auditor')).json()) as { annotations: { id: string }[] };
    expect(list.annotations.map((entry) => entry.id)).toEqual(['HospitalAMSP:a-1']);
  });

  it('verifies content per field: match, mismatch, not-recorded, erased; another org needs a disclosed salt', async () => {
    chaincode.subjects.set('sub-v', FAKE_SUBJECT_KEY);
    expect((await post(BASE, interaction('v-1', { subjectRef: 'sub-v', purpose: 'ai-inference' }))).status).toBe(201);
    const verify = async (body: unknown, role: Role = 'auditor') =>
      (await post(`${BASE}/v-1/verify`, body, role)).json() as Promise<Record<string, unknown>>;
    expect(await verify({ prompt: PROMPT, output: 'anything' })).toEqual({
      interactionId: 'HospitalAMSP:v-1',
      prompt: 'match',
      output: 'not-recorded',
    });
    expect(await verify({ prompt: `${PROMPT}.` })).toEqual({ interactionId: 'HospitalAMSP:v-1', prompt: 'mismatch' });
    expect(
      await verify({ prompt: 'Patient 4711: summarise the discharge lette\u0072' }, 'consent-manager'),
    ).toMatchObject({ prompt: 'match' });
    chaincode.subjects.set('sub-v', 'erased');
    expect(await verify({ prompt: PROMPT })).toEqual({ interactionId: 'HospitalAMSP:v-1', prompt: 'erased' });
    expect(((await (await post(`${BASE}/v-1/verify`, {})).json()) as Problem).status).toBe(400);

    chaincode.interactions.set('AIProviderMSP:foreign', {
      ...chaincode.interactions.get('HospitalAMSP:v-1'),
      id: 'AIProviderMSP:foreign',
      org: 'AIProviderMSP',
    });
    const refused = (await (await post(`${BASE}/AIProviderMSP:foreign/verify`, { prompt: PROMPT })).json()) as Problem;
    expect(refused).toMatchObject({ status: 422, errors: [{ field: 'salt' }] });
    const salt = recordSalt(FAKE_SUBJECT_KEY, 'HospitalAMSP:v-1').toString('hex');
    expect(await (await post(`${BASE}/v-1/verify`, { prompt: PROMPT, salt })).json()).toMatchObject({
      prompt: 'match',
    });
  });

  it('discloses one record’s salt to the recording org’s recorder or admin, and records the disclosure without the salt', async () => {
    expect((await post(BASE, interaction('d-1'))).status).toBe(201);
    const response = await post(`${BASE}/d-1/disclosures`, undefined);
    expect(response.status).toBe(200);
    const disclosure = (await response.json()) as { salt: string; derivedFrom: string };
    expect(disclosure).toMatchObject({
      salt: recordSalt(FAKE_ORG_CONTENT_KEY, 'HospitalAMSP:d-1').toString('hex'),
      derivedFrom: 'org-content-key',
    });
    const log = readFileSync(app.auditorReadLogPath, 'utf8');
    expect(log).toContain('/interactions/:id/disclosures');
    expect(log).toContain('"role":"recorder"');
    expect(log).not.toContain(disclosure.salt);
    expect(app.logLines.join('\n')).not.toContain(disclosure.salt);
    chaincode.interactions.set('AIProviderMSP:foreign', {
      ...chaincode.interactions.get('HospitalAMSP:d-1'),
      id: 'AIProviderMSP:foreign',
      org: 'AIProviderMSP',
    });
    expect((await post(`${BASE}/AIProviderMSP:foreign/disclosures`, undefined, 'admin')).status).toBe(403);
  });

  describe('roles', () => {
    const matrix: { route: string; method: 'GET' | 'POST'; path: string; body?: unknown; allowed: readonly Role[] }[] =
      [
        { route: 'record', method: 'POST', path: BASE, body: interaction('r-new'), allowed: ['recorder', 'admin'] },
        {
          route: 'record batch',
          method: 'POST',
          path: `${BASE}/batch`,
          body: { records: [interaction('r-b')] },
          allowed: ['recorder', 'admin'],
        },
        { route: 'get', method: 'GET', path: `${BASE}/seed`, allowed: ROLES },
        { route: 'query', method: 'GET', path: `${BASE}?by=org&value=HospitalAMSP`, allowed: ROLES },
        {
          route: 'annotate',
          method: 'POST',
          path: `${BASE}/seed/annotations`,
          body: { id: 'a', kind: 'review' },
          allowed: ['recorder', 'admin'],
        },
        { route: 'annotations', method: 'GET', path: `${BASE}/seed/annotations`, allowed: ROLES },
        { route: 'verify', method: 'POST', path: `${BASE}/seed/verify`, body: { prompt: PROMPT }, allowed: ROLES },
        { route: 'disclose', method: 'POST', path: `${BASE}/seed/disclosures`, allowed: ['recorder', 'admin'] },
      ];
    for (const entry of matrix) {
      for (const role of ROLES) {
        const allowed = entry.allowed.includes(role);
        it(`${entry.route}: ${role} is ${allowed ? 'allowed' : 'refused with 403'}`, async () => {
          chaincode.interactions.set('HospitalAMSP:seed', {
            ...interaction('HospitalAMSP:seed', {
              prompt: undefined,
              promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
            }),
            org: 'HospitalAMSP',
            txId: 'e'.repeat(64),
            txTime: '2026-01-01T00:00:00.000Z',
            recordedBy: 'app-recorder',
          });
          const response = await app.request(entry.method, entry.path, { key: app.keys[role], body: entry.body });
          if (allowed) {
            expect(response.status).toBeLessThan(300);
            expect(
              app.ledger.calls.every((call) => call.role === role || call.transaction === TRANSACTIONS.initOrgKeys),
            ).toBe(true);
          } else {
            expect(response.status).toBe(403);
            expect(app.ledger.calls).toEqual([]);
          }
          const log = readFileSync(app.auditorReadLogPath, { encoding: 'utf8', flag: 'a+' });
          if (role === 'auditor' && allowed)
            expect(log).toContain(
              entry.path
                .split('?')[0]
                ?.replace('/seed', '/:id')
                .replace('/api/v1/channels/hospital-a', '/api/v1/channels/:channel'),
            );
        });
      }
    }
  });
});
