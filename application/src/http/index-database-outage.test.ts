import { readFileSync } from 'node:fs';
import { AuditIndex } from '../audit-index/audit-index';
import { startAppHarness, type AppHarness } from '../testing/app-harness';
import { installFakeInteractionsChaincode, type FakeInteractionState } from '../testing/fake-interactions-chaincode';
import { interactionWrites, nextTestBlock } from '../testing/block-builder';
import { interactionRequest } from '../testing/interaction-request';
import { SimulatedOutage } from '../testing/simulated-outage';
import { storedInteraction as record } from '../testing/stored-interactions';

const CHANNEL = '/api/v1/channels/hospital-a';
/** Index-backed reads of the audit routes, interaction and batch queries. */
const INDEX_READS = [
  `${CHANNEL}/audit/usage?groupBy=model`,
  `${CHANNEL}/audit/violations`,
  `${CHANNEL}/audit/export?format=ndjson`,
  `${CHANNEL}/audit/time-anomalies`,
  `${CHANNEL}/interactions?by=org&value=HospitalAMSP`,
];

describe("the app while its audit index's database is down", () => {
  let outage: SimulatedOutage;
  let app: AppHarness;
  let chaincode: FakeInteractionState;
  beforeEach(async () => {
    outage = new SimulatedOutage();
    outage.down = true;
    app = await startAppHarness({
      auditIndex: AuditIndex.unopened(outage.store(), 'audit', ['hospital-a']),
      auditorOrgs: ['HospitalAMSP'],
    });
    chaincode = installFakeInteractionsChaincode(app.ledger);
  });
  afterEach(() => app.close());

  async function expectIndexReadsRefused(): Promise<void> {
    for (const path of INDEX_READS) {
      const answer = await app.request('GET', path, { key: app.keys.auditor });
      expect({ path, status: answer.status, retryAfter: answer.headers.get('retry-after') }).toEqual({
        path,
        status: 503,
        retryAfter: '5',
      });
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(await answer.json()).toMatchObject({ status: 503, title: 'Audit index unavailable' });
    }
  }

  async function expectNotReady(): Promise<void> {
    const ready = await app.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      title: 'Audit index unavailable',
      detail: 'the audit index database cannot be reached',
      auditIndex: { database: 'unavailable' },
    });
  }

  it('starts, refuses index reads (503, Retry-After) and readiness, and still records to the ledger', async () => {
    await expectNotReady();
    await expectIndexReadsRefused();
    const written = await app.request('POST', `${CHANNEL}/interactions`, {
      key: app.keys.recorder,
      body: interactionRequest('while-down'),
    });
    expect(written.status).toBe(201);
    expect([...chaincode.interactions.keys()]).toEqual(['HospitalAMSP:while-down']);
    // The refused reads were not answered, so none is in the auditor-read log.
    expect(readFileSync(app.auditorReadLogPath, 'utf8').trim()).toBe('');
  });

  it('goes down while running: reads 503 (an export too, not a 200 cut short), then answer again once it is back', async () => {
    outage.down = false;
    expect((await app.request('GET', '/readyz')).status).toBe(200);
    const index = app.auditIndex;
    await index.ingest(
      'hospital-a',
      nextTestBlock(index, 'hospital-a', [{ txId: 'a'.repeat(64), writes: interactionWrites([record('i-1')]) }]),
    );
    const usage = async (): Promise<Response> =>
      app.request('GET', `${CHANNEL}/audit/usage?groupBy=model&minBlock=0`, { key: app.keys.auditor });
    expect((await usage()).status).toBe(200);

    outage.down = true;
    await expectNotReady();
    await expectIndexReadsRefused();
    expect(
      (
        await app.request('POST', `${CHANNEL}/interactions`, {
          key: app.keys.recorder,
          body: interactionRequest('while-down'),
        })
      ).status,
    ).toBe(201);
    expect([...chaincode.interactions.keys()]).toEqual(['HospitalAMSP:while-down']);

    outage.down = false;
    expect((await app.request('GET', '/readyz')).status).toBe(200);
    const answer = await usage();
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ asOfBlock: '0', totals: { calls: 1 } });
  });
});
