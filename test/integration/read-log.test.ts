import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiKeyStore,
  defaultReadLogKeyPath,
  readReadLogKey,
  verifyAuditorReadLog,
  type AuditorReadEntry,
} from '@aal/application';
import { TRANSACTIONS, type StoredReadAnchor } from '@aal/ledger-contract';
import { CHAINCODE_NAME, HOSPITAL_A, NetworkLayout, REGULATOR } from '@aal/network';
import { contractRefusal } from '../support/chaincode-calls';
import { startExtraApp, waitUntilReady, type ExtraApp } from '../support/extra-app';
import { testGateway, type TestGateway } from '../support/gateway';
import { interactionRequest, interactionsPath, postInteraction } from '../support/interactions';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';
import { indexRead } from '../support/index-read';

/**
 * Issue 10, the auditor-read log: a Regulator app records its auditors' reads in a MAC-chained log
 * and anchors it on the ledger; HospitalA, the data owner, reads from its own peer how many of its
 * records the Regulator's auditors read, and when. Truncating the log is detected against the
 * anchor, and a restarted app records the gap instead of starting over; the anchors form a chain
 * (each names the previous head), and the Regulator cannot re-anchor lower or off the chain with its
 * own identities.
 */
const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const hospitalA = environment.apps.HospitalA ?? '';
const CHANNEL = 'hospital-a';
const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const LOG_NAME = `read-log-it-${run}`;

let dir: string;
let logFile: string;
let env: Record<string, string>;
let auditorKey: string;
let app: ExtraApp | undefined;
const gateways: TestGateway[] = [];

/** HospitalA's own peer, asked by HospitalA's auditor identity. */
function ownerContract() {
  const gateway = testGateway(HOSPITAL_A, 'auditor');
  gateways.push(gateway);
  return gateway.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
}

function regulatorContract(role: 'admin' | 'auditor') {
  const gateway = testGateway(REGULATOR, role);
  gateways.push(gateway);
  return gateway.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
}

/** The Regulator's anchors of this test's log that count HospitalA's records, as HospitalA reads them. */
async function anchorsOfHospitalAData(): Promise<StoredReadAnchor[]> {
  const found: StoredReadAnchor[] = [];
  let bookmark = '';
  do {
    const bytes = await ownerContract().evaluateTransaction(
      TRANSACTIONS.queryReadAnchors,
      JSON.stringify({ by: 'owner', value: HOSPITAL_A.mspId, pageSize: 1000, bookmark }),
    );
    const page = JSON.parse(Buffer.from(bytes).toString('utf8')) as { records: StoredReadAnchor[]; bookmark: string };
    found.push(...page.records.filter((anchor) => anchor.org === REGULATOR.mspId && anchor.log === LOG_NAME));
    bookmark = page.bookmark;
  } while (bookmark !== '');
  return found;
}

async function latestAnchor(): Promise<StoredReadAnchor> {
  const bytes = await ownerContract().evaluateTransaction(TRANSACTIONS.getLatestReadAnchor, REGULATOR.mspId, LOG_NAME);
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredReadAnchor;
}

const entries = (): AuditorReadEntry[] =>
  readFileSync(logFile, 'utf8')
    .trimEnd()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditorReadEntry);

/** HospitalA records read on the channel according to the log. */
const hospitalAReadsLogged = (): number =>
  entries().reduce(
    (sum, entry) =>
      entry.event !== 'gap' && entry.resourceIds.channel === CHANNEL
        ? sum + (entry.readsByOwner[HOSPITAL_A.mspId] ?? 0)
        : sum,
    0,
  );

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aal-read-log-'));
  logFile = join(dir, 'reads.jsonl');
  const store = new ApiKeyStore(join(dir, 'keys.json'));
  auditorKey = store.create('read-log-auditor', 'auditor').key;
  env = {
    AAL_GATEWAY_PROFILE: layout.gatewayProfile(REGULATOR),
    AAL_API_KEY_STORE: store.path,
    AAL_AUDITOR_READ_LOG: logFile,
    // Its own audit index: the Regulator's network app holds the org's default one.
    AAL_AUDIT_INDEX_PATH: join(dir, 'audit-index.sqlite'),
    AAL_READ_LOG_NAME: LOG_NAME,
    AAL_READ_ANCHOR_ENTRIES: '2',
    AAL_READ_ANCHOR_INTERVAL_MS: '1000',
  };
  app = await startExtraApp(extraPort(options.basePort, 'readLogApp'), env);
  await waitUntilReady(app);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  for (const gateway of gateways) gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the auditor-read log, anchored on the ledger for the data owner', () => {
  it('anchors the Regulator’s auditor reads, and HospitalA reads the counts for its data from its own peer', async () => {
    const ids = [`read-log-${run}-1`, `read-log-${run}-2`];
    let lastBlock = 0;
    for (const id of ids) {
      const written = await postInteraction(hospitalA, CHANNEL, bearer(environment, 'HospitalA', 'recorder'), {
        ...interactionRequest(id),
      });
      expect(written.status).toBe(201);
      lastBlock = Math.max(lastBlock, Number(((await written.json()) as { blockNumber: string }).blockNumber));
    }
    const auditor = { authorization: `Bearer ${auditorKey}` };
    for (const id of ids)
      expect(
        (await fetch(`${app?.url}${interactionsPath(CHANNEL, `HospitalAMSP:${id}`)}`, { headers: auditor })).status,
      ).toBe(200);
    // The query answers from the app's own audit index: minBlock waits until it has read the writes.
    const page = await indexRead(() =>
      fetch(
        `${app?.url}${interactionsPath(CHANNEL)}?by=org&value=${HOSPITAL_A.mspId}&pageSize=3&minBlock=${lastBlock}`,
        {
          headers: auditor,
        },
      ),
    );
    expect(page.status).toBe(200);
    const pageRecords = ((await page.json()) as { records: unknown[] }).records.length;

    const logged = entries();
    expect(logged.map((entry) => (entry.event === 'gap' ? 'gap' : entry.readsByOwner))).toEqual([
      { [HOSPITAL_A.mspId]: 1 },
      { [HOSPITAL_A.mspId]: 1 },
      { [HOSPITAL_A.mspId]: pageRecords },
    ]);
    // An anchor every two entries or every second, whichever comes first; the last one names entry 3.
    const anchors = await eventually(async () => {
      const found = await anchorsOfHospitalAData();
      const total = found.reduce((sum, anchor) => sum + (anchor.readsByOwner[HOSPITAL_A.mspId] ?? 0), 0);
      return total === 2 + pageRecords ? found : undefined;
    }, 'the anchors of all three reads');
    const seqs = anchors.map((anchor) => anchor.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(seqs[seqs.length - 1]).toBe(3);
    // The anchors form a chain: each names the head of the one before it; the first none.
    expect(anchors.map((anchor) => anchor.previousHead)).toEqual([
      undefined,
      ...anchors.slice(0, -1).map((anchor) => anchor.head),
    ]);
    for (const anchor of anchors) {
      expect(anchor).toMatchObject({ org: REGULATOR.mspId, anchoredBy: 'app-admin', log: LOG_NAME });
      // The anchored head is the log's entry at that seq, and every read it counts came before the anchor's commit.
      expect(anchor.head).toBe(logged[anchor.seq - 1]?.mac);
      expect(Date.parse(anchor.window.to)).toBeLessThanOrEqual(Date.parse(anchor.txTime));
    }
    const key = readReadLogKey(defaultReadLogKeyPath(logFile));
    const latest = await latestAnchor();
    expect(verifyAuditorReadLog(logFile, key, latest)).toMatchObject({
      valid: true,
      entries: 3,
    });
    expect(hospitalAReadsLogged()).toBe(2 + pageRecords);
  }, 120_000);

  it('detects a truncated log against the anchor, and the restarted app records the gap instead of starting over', async () => {
    expect(await app?.stop()).toBe(0);
    const key = readReadLogKey(defaultReadLogKeyPath(logFile));
    const anchored = await latestAnchor();
    expect(anchored.seq).toBe(3);
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    writeFileSync(logFile, `${lines[0]}\n`);
    // The file alone still verifies; the anchor shows what is missing.
    expect(verifyAuditorReadLog(logFile, key)).toMatchObject({ valid: true, entries: 1 });
    expect(verifyAuditorReadLog(logFile, key, { seq: anchored.seq, head: anchored.head })).toEqual({
      valid: false,
      problem: 'truncated',
      line: 2,
      reason: 'truncated: the ledger anchors entry 3 but the log ends at entry 1',
    });

    app = await startExtraApp(extraPort(options.basePort, 'readLogApp'), env);
    await waitUntilReady(app);
    const ready = (await (await fetch(`${app.url}/readyz`)).json()) as { readLog: { gaps: unknown[] } };
    const gap = {
      reason: 'truncated',
      anchored: { seq: 3, head: anchored.head },
      found: { seq: 1, mac: (JSON.parse(lines[0] ?? '') as AuditorReadEntry).mac },
    };
    expect(ready.readLog.gaps).toEqual([gap]);
    expect(app.output()).toContain('the auditor-read log lacks entries the ledger anchors');
    expect(entries().map((entry) => [entry.seq, entry.event])).toEqual([
      [1, 'read'],
      [4, 'gap'],
    ]);
    // The gap entry is anchored too, so the ledger moves on past it.
    const next = await eventually(async () => {
      const latest = await latestAnchor();
      return latest.seq === 4 ? latest : undefined;
    }, 'the anchor of the gap entry');
    // It follows the anchor of the entries the file lost.
    expect(next.previousHead).toBe(anchored.head);
    expect(verifyAuditorReadLog(logFile, key, next)).toMatchObject({
      valid: true,
      gaps: [gap],
    });
  }, 120_000);

  it('refuses the Regulator’s own identities to anchor lower, off the chain or as an auditor, straight at the peers', async () => {
    const latest = await latestAnchor();
    const lower = {
      log: LOG_NAME,
      seq: 1,
      head: 'a'.repeat(64),
      window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:01Z' },
      readsByOwner: {},
    };
    expect(
      await contractRefusal(
        regulatorContract('admin').submitTransaction(TRANSACTIONS.anchorReads, JSON.stringify(lower)),
      ),
    ).toMatchObject({ code: 'CONFLICT' });
    // Higher, but not following the latest anchor: a wrong previous head, or none.
    const higher = { ...lower, seq: latest.seq + 100 };
    for (const offChain of [
      { ...higher, previousHead: 'b'.repeat(64) },
      { ...higher, previousHead: undefined },
    ])
      expect(
        await contractRefusal(
          regulatorContract('admin').submitTransaction(TRANSACTIONS.anchorReads, JSON.stringify(offChain)),
        ),
      ).toEqual({
        code: 'CONFLICT',
        message: `read log ${LOG_NAME} of ${REGULATOR.mspId} is anchored at seq ${latest.seq} with head ${latest.head}: a new anchor must name that head as previousHead (got ${offChain.previousHead ?? 'none'})`,
      });
    expect(
      await contractRefusal(
        regulatorContract('auditor').submitTransaction(
          TRANSACTIONS.anchorReads,
          JSON.stringify({ ...higher, previousHead: latest.head }),
        ),
      ),
    ).toMatchObject({ code: 'ACCESS_DENIED' });
    expect(await latestAnchor()).toEqual(latest);
  }, 60_000);
});
