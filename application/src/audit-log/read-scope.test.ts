import { readFileSync } from 'node:fs';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { installFakeInteractionsChaincode, type FakeInteractionState } from '../testing/fake-interactions-chaincode';
import { startAppHarness, type AppHarness } from '../testing/app-harness';
import { interactionWrites, testBlock } from '../testing/block-builder';
import type { AuditorReadEntry } from './auditor-read-log';
import { ReadTally } from './read-tally';

const BASE = '/api/v1/channels/hospital-a';

const interaction = (id: string, org: string, subjectRef?: string): Record<string, unknown> => ({
  id,
  org,
  recordedBy: 'app-recorder',
  txId: 'e'.repeat(64),
  txTime: '2026-01-01T00:00:00.000Z',
  startTime: '2026-01-01T00:00:00Z',
  endTime: '2026-01-01T00:00:01Z',
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o',
  usage: { inputTokens: 10, outputTokens: 2, source: 'provider' },
  cost: { status: 'unpriced' },
  latencyMs: 10,
  status: 'ok',
  applicationId: 'app-1',
  promptCommitment: `hmac-sha256:${'0'.repeat(64)}`,
  ...(subjectRef === undefined ? {} : { subjectRef, purpose: 'treatment' }),
});

describe('ReadTally', () => {
  it('counts each record once by the field naming its owner, and notes every subjectRef', () => {
    const tally = new ReadTally().records({
      records: [
        { id: 'i-1', org: 'HospitalAMSP', subjectRef: 'HospitalAMSP:s-1', consentCheck: { consentId: 'c' } },
        { consent: { controller: 'HospitalBMSP', subjectRef: 'HospitalBMSP:s-2' }, txId: 't' },
        { id: 'a', registeredBy: 'AIProviderMSP' },
        // A subject lookup's answer: the subject's org owns it.
        { subjectRef: 'HospitalAMSP:s-3' },
        { note: 'no owner here', org: 'not an msp id!' },
      ],
      nextCursor: null,
    });
    expect(tally.scope()).toEqual({
      readsByOwner: { AIProviderMSP: 1, HospitalAMSP: 2, HospitalBMSP: 1 },
      subjectRefs: ['HospitalAMSP:s-1', 'HospitalAMSP:s-3', 'HospitalBMSP:s-2'],
    });
  });

  it('names at most 1000 subjects and counts the others', () => {
    const tally = new ReadTally();
    for (let index = 0; index < 1005; index++) tally.subject(`HospitalAMSP:s-${index}`).subject('HospitalAMSP:s-0');
    const scope = tally.scope();
    expect(scope.subjectRefs).toHaveLength(1000);
    expect(scope.omittedSubjectRefs).toBe(5);
  });

  it('adds subjects a summary counted without listing them to the omitted ones', () => {
    const scope = new ReadTally().subject('HospitalAMSP:s-1').subjectsOmitted(41).subjectsOmitted(0).scope();
    expect(scope).toEqual({ readsByOwner: {}, subjectRefs: ['HospitalAMSP:s-1'], omittedSubjectRefs: 41 });
  });
});

describe('what the auditor-read log records of each auditor read (fake ledger)', () => {
  let app: AppHarness;
  let chaincode: FakeInteractionState;
  beforeEach(async () => {
    // The harness's org is an auditor org here: its auditor reads every org's records.
    app = await startAppHarness({ auditorOrgs: ['HospitalAMSP'] });
    chaincode = installFakeInteractionsChaincode(app.ledger);
    const records = [
      interaction('HospitalAMSP:i-a', 'HospitalAMSP', 'HospitalAMSP:s-1'),
      interaction('AIProviderMSP:i-p', 'AIProviderMSP'),
    ];
    for (const record of records) chaincode.interactions.set(String(record['id']), record);
    // The audit routes answer from the index: the same records, committed in block 0.
    await app.auditIndex.ingest(
      'hospital-a',
      testBlock(0, [{ txId: 'e'.repeat(64), writes: interactionWrites(records) }]),
    );
  });
  afterEach(() => app.close());

  const entries = (): AuditorReadEntry[] =>
    readFileSync(app.auditorReadLogPath, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditorReadEntry);
  const read = async (path: string): Promise<void> => {
    const response = await app.request('GET', path, { key: app.keys.auditor });
    expect({ path, status: response.status }).toEqual({ path, status: 200 });
    await response.arrayBuffer();
  };

  it('names the owner and subject of a record read, and counts a page by owner', async () => {
    await read(`${BASE}/interactions/i-a`);
    await read(`${BASE}/audit/violations`);
    await read(`${BASE}/audit/usage?groupBy=model&by=org&value=AIProviderMSP`);
    expect(
      entries().map((entry) => (entry.event === 'gap' ? entry : [entry.event, entry.readsByOwner, entry.subjectRefs])),
    ).toEqual([
      ['read', { HospitalAMSP: 1 }, ['HospitalAMSP:s-1']],
      // The violations scan answered none of the records it read.
      ['read', {}, []],
      // A usage summary answers totals: the records summed are what was read.
      ['read', { AIProviderMSP: 1 }, []],
    ]);
  });

  it('records subject lookups, subject status and consent checks with the subject and its org', async () => {
    app.ledger.handlers.set(TRANSACTIONS.lookupSubject, () => JSON.stringify({ subjectRef: 'HospitalAMSP:s-9' }));
    app.ledger.handlers.set(TRANSACTIONS.checkConsent, () =>
      JSON.stringify({ allowed: false, reason: 'no consent covers the use' }),
    );
    chaincode.subjects.set('HospitalAMSP:s-1', 'e'.repeat(64));
    const lookup = await app.request('POST', `${BASE}/subjects/lookup`, {
      key: app.keys.auditor,
      body: { identifier: 'MRN-0001' },
    });
    expect(lookup.status).toBe(200);
    await read(`${BASE}/subjects/HospitalAMSP:s-1`);
    await read(`${BASE}/consents/check?subjectRef=HospitalBMSP:s-7&purpose=ai-inference&grantee=AIProviderMSP`);
    const logged = entries();
    expect(
      logged.map((entry) => (entry.event === 'gap' ? entry : [entry.route, entry.readsByOwner, entry.subjectRefs])),
    ).toEqual([
      ['POST /api/v1/channels/:channel/subjects/lookup', { HospitalAMSP: 1 }, ['HospitalAMSP:s-9']],
      ['GET /api/v1/channels/:channel/subjects/:subjectRef', { HospitalAMSP: 1 }, ['HospitalAMSP:s-1']],
      ['GET /api/v1/channels/:channel/consents/check', { HospitalBMSP: 1 }, ['HospitalBMSP:s-7']],
    ]);
    // The identifier never reaches the log.
    expect(readFileSync(app.auditorReadLogPath, 'utf8')).not.toContain('MRN-0001');
  });

  it('records a streamed export when it opens and, with what it delivered, when it closes', async () => {
    await read(`${BASE}/audit/export?format=ndjson&by=subjectRef&value=HospitalAMSP:s-1`);
    await app.readLogHolds(2);
    const logged = entries();
    expect(
      logged.map((entry) => (entry.event === 'gap' ? entry : [entry.event, entry.readsByOwner, entry.subjectRefs])),
    ).toEqual([
      ['stream-opened', {}, ['HospitalAMSP:s-1']],
      ['stream-closed', { HospitalAMSP: 1 }, ['HospitalAMSP:s-1']],
    ]);
  });

  it('records an event subscription when it opens and, with the owners of the events delivered, when it closes', async () => {
    app.ledger.events.push(
      {
        blockNumber: 5n,
        transactionId: 't1',
        eventName: 'ConsentGranted',
        payload: JSON.stringify({ controller: 'HospitalAMSP' }),
      },
      {
        blockNumber: 6n,
        transactionId: 't2',
        eventName: 'ArtifactRegistered',
        payload: JSON.stringify({ registeredBy: 'AIProviderMSP' }),
      },
    );
    const abort = new AbortController();
    const response = await fetch(`${app.url}${BASE}/events?startBlock=5`, {
      headers: { authorization: `Bearer ${app.keys.auditor}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while ((text.match(/^id: /gm) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    expect(entries().map((entry) => entry.event)).toEqual(['stream-opened']);
    abort.abort();
    await app.readLogHolds(2);
    expect(entries().map((entry) => (entry.event === 'gap' ? entry : [entry.event, entry.readsByOwner]))).toEqual([
      ['stream-opened', {}],
      ['stream-closed', { AIProviderMSP: 1, HospitalAMSP: 1 }],
    ]);
  });
});
