import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiKeyStore, runAuditIndexCli } from '@aal/application';
import { CHANNELS, FabricNetwork, HOSPITAL_A } from '@aal/network';
import { startExtraApp, type ExtraApp } from '../support/extra-app';
import { eventually } from '../support/eventually';
import { interactionRequest, postInteraction } from '../support/interactions';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';

/**
 * A block file altered on disk under a peer: HospitalA's peer stopped, one byte of a committed
 * transaction changed inside its block (the file's framing intact), the peer started again so it
 * serves the block from the file, not from memory. `reindex` and `check` into a scratch index stop
 * loudly, naming the block and its failed data-hash check, and exit 1; an app following the peer
 * into a fresh index halts at that block (/readyz 503). The original bytes are restored and the peer
 * restarted afterwards, whatever happened, so the other test files on this network are unaffected.
 */
const environment = loadTestEnvironment();
const options = testNetworkOptions();
const network = new FabricNetwork(options);
const hospitalA = environment.apps.HospitalA ?? '';
const CHANNEL = 'hospital-a';
/** How long the apps' gRPC connections may take to reach a restarted peer again (their reconnect backoff). */
const RECONNECT_MS = 60_000;
/**
 * How long HospitalA's index may take to reach a block just written: this file is about tampering,
 * not index latency, and on a loaded 2-core CI machine the follower can be busy with earlier files' blocks.
 */
const INDEX_CATCH_UP_MS = 60_000;

/** What HospitalA's app has logged about its audit index since `sinceMs`, and its /readyz answer: shown when the index lags. */
async function indexDiagnosis(sinceMs: number): Promise<string> {
  const log = network.layout.logFile(network.layout.applicationProcess(HOSPITAL_A));
  const lines = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('audit index'))
    .filter((line) => ((JSON.parse(line) as { time?: number }).time ?? 0) >= sinceMs);
  const ready = await fetch(`${hospitalA}/readyz`).then(
    (response) => response.text(),
    (error: unknown) => String(error),
  );
  return `HospitalA's /readyz: ${ready}\nits audit index log lines since the write:\n${lines.join('\n')}`;
}

/** Runs the audit-index command in-process, as `npm run audit-index -- …` would; returns its exit code and output. */
async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runAuditIndexCli(
    argv,
    { out: (line) => lines.push(line), progress: () => undefined },
    { AAL_NETWORK_DIR: options.dir },
  );
  return { code, out: lines.join('\n') };
}

/** The block file of HospitalA's peer holding `marker`, and the marker's first offset in it. */
function findInBlockFiles(marker: Buffer): { file: string; offset: number } {
  const dir = network.peerBlockFilesDir(HOSPITAL_A, CHANNEL);
  for (const name of readdirSync(dir)
    .filter((entry) => entry.startsWith('blockfile_'))
    .sort()) {
    const file = join(dir, name);
    const offset = readFileSync(file).indexOf(marker);
    if (offset >= 0) return { file, offset };
  }
  throw new Error(`no block file of HospitalA's peer holds ${marker.toString('utf8')}`);
}

/**
 * Starts HospitalA's peer again and waits until its operations endpoint reports it healthy and its
 * gossip knows the channel's other peers again: until then its gateway finds no peers to satisfy
 * the endorsement policy, and the next test file's first write through it would fail (~30 s).
 */
async function restartPeer(): Promise<void> {
  await network.startPeer(HOSPITAL_A);
  const { host, port } = network.layout.peerOperations(HOSPITAL_A);
  const others = (CHANNELS.find((channel) => channel.name === CHANNEL)?.orgs.length ?? 1) - 1;
  const knownPeers = new RegExp(`^gossip_membership_total_peers_known\\{channel="${CHANNEL}"\\} (\\d+)$`, 'm');
  for (let attempt = 0; attempt < 450; attempt++) {
    const metrics = await fetch(`http://${host}:${port}/metrics`).then(
      async (response) => (response.ok ? await response.text() : ''),
      () => '',
    );
    const healthy = await fetch(`http://${host}:${port}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy && Number(knownPeers.exec(metrics)?.[1] ?? 0) >= others) return;
    await sleep(200);
  }
  throw new Error("HospitalA's peer did not report healthy, knowing the channel's other peers, after its restart");
}

describe('audit index: a block file tampered with under the peer', () => {
  let dir: string;
  let app: ExtraApp | undefined;
  /** Puts the original byte back under the stopped peer; undefined while the file is as the peer wrote it. */
  let restore: (() => Promise<void>) | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-tampered-block-'));
  });
  afterAll(async () => {
    await app?.stop();
    await restore?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is detected by reindex, check and a following app, naming the block and its data hash', async () => {
    // A record of its own, committed in a block of HospitalA's channel.
    const applicationId = `tampered-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const recorder = bearer(environment, 'HospitalA', 'recorder');
    const written = await postInteraction(
      hospitalA,
      CHANNEL,
      recorder,
      interactionRequest(`${applicationId}-1`, { applicationId }),
    );
    expect(written.status).toBe(201);
    const block = Number(((await written.json()) as { blockNumber: string }).blockNumber);
    // HospitalA's own app has indexed past it, so its follower never needs that block again.
    const writtenAt = Date.now() - 1_000;
    const reached = await eventually(
      "HospitalA's index at the record's block",
      () =>
        fetch(`${hospitalA}/api/v1/channels/${CHANNEL}/audit/usage?groupBy=org&minBlock=${block}`, {
          headers: bearer(environment, 'HospitalA', 'admin'),
        }),
      (response) => response.status === 200,
      INDEX_CATCH_UP_MS,
    ).catch(async (error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await indexDiagnosis(writtenAt)}`);
    });
    expect(reached.status).toBe(200);
    // An index of the untouched blocks, for check to compare with below.
    const before = join(dir, 'before.sqlite');
    expect((await cli('reindex', '--org', HOSPITAL_A.slug, '--index', before)).code).toBe(0);

    // The peer stopped, one byte of the record's JSON changed in place (same length, so every
    // varint and offset of the file stays valid), the peer started again: nothing of the block is
    // left in its memory, it serves the block from the file.
    await network.stopPeer(HOSPITAL_A);
    const { file, offset } = findInBlockFiles(Buffer.from(`"applicationId":"${applicationId}"`));
    const at = offset + '"applicationId":"'.length;
    const bytes = readFileSync(file);
    const original = bytes[at] ?? 0;
    bytes[at] = original === 0x74 ? 0x54 : 0x74; // 't' ↔ 'T': still JSON, another applicationId
    writeFileSync(file, bytes);
    restore = async () => {
      restore = undefined;
      await network.stopPeer(HOSPITAL_A);
      const current = readFileSync(file);
      current[at] = original;
      writeFileSync(file, current);
      await restartPeer();
    };
    await restartPeer();
    const failure = `block ${block} fails the data-hash check`;

    // reindex into a scratch SQLite file: stops at the block, naming it and the check; no file is made.
    const scratch = join(dir, 'scratch.sqlite');
    const rebuilt = await cli('reindex', '--org', HOSPITAL_A.slug, '--index', scratch);
    expect(rebuilt.out).toMatch(new RegExp(`^rebuild stopped, the index is unchanged: .*${failure}`, 'm'));
    expect(rebuilt.code).toBe(1);
    expect(existsSync(scratch)).toBe(false);

    // check of the index built from the untouched blocks: the re-read block's data hash no longer
    // matches its header.
    const checked = await cli('check', '--org', HOSPITAL_A.slug, '--index', before, '--sample', '0');
    expect(checked.out).toContain(failure);
    expect(checked.out).not.toMatch(/matches the peer's blocks/);
    expect(checked.code).toBe(1);

    // An app following the peer into a fresh index halts at the block: /readyz 503 names it.
    const store = new ApiKeyStore(join(dir, 'keys.json'));
    store.create('tampered-admin', 'admin');
    app = await startExtraApp(extraPort(options.basePort, 'tamperedBlockApp'), {
      AAL_GATEWAY_PROFILE: network.layout.gatewayProfile(HOSPITAL_A),
      AAL_API_KEY_STORE: store.path,
      AAL_AUDITOR_READ_LOG: join(dir, 'reads.jsonl'),
      AAL_AUDIT_INDEX_PATH: join(dir, 'follower.sqlite'),
    });
    let ready: Response | undefined;
    for (let attempt = 0; attempt < 150; attempt++) {
      // A refused or reset connection while the app starts counts as not yet.
      ready = await fetch(`${app.url}/readyz`).catch(() => undefined);
      if (ready?.status === 503 && ((await ready.clone().json()) as { title?: string }).title === 'Audit index halted')
        break;
      await sleep(200);
    }
    expect(ready?.status).toBe(503);
    expect(await ready?.json()).toMatchObject({
      title: 'Audit index halted',
      auditIndex: { halted: [{ channel: CHANNEL, blockNumber: String(block), check: 'data-hash' }] },
    });
    expect(await app.stop()).toBe(0);
    app = undefined;

    // Restored: check agrees with the untouched index again.
    await restore();
    expect((await cli('check', '--org', HOSPITAL_A.slug, '--index', before, '--sample', '0')).code).toBe(0);
    // HospitalA's app reconnects to its restarted peer (gRPC backs off meanwhile): it records again.
    const after = await eventually(
      "HospitalA's app records through its restarted peer",
      () =>
        postInteraction(
          hospitalA,
          CHANNEL,
          recorder,
          interactionRequest(`${applicationId}-${Date.now()}`, { applicationId }),
        ),
      (response) => response.status === 201,
      RECONNECT_MS,
    );
    expect(after.status).toBe(201);
    // And its index follows the restarted peer again (its stream backed off while the peer was
    // down): the next test file's HospitalA reads with minBlock find it caught up.
    const afterBlock = ((await after.json()) as { blockNumber: string }).blockNumber;
    const caughtUp = await eventually(
      "HospitalA's index at the block after the restore",
      () =>
        fetch(`${hospitalA}/api/v1/channels/${CHANNEL}/audit/usage?groupBy=org&minBlock=${afterBlock}`, {
          headers: bearer(environment, 'HospitalA', 'admin'),
        }),
      (response) => response.status === 200,
      INDEX_CATCH_UP_MS,
    );
    expect(caughtUp.status).toBe(200);
    // Room for the index catch-up and the reconnect waits above, beyond the suite's 120 s default.
  }, 300_000);
});
