import { HOSPITAL_A } from '@aal/network';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exactlyOnce, printMeasurement, waitForReadiness, expectNothingLostOrDoubled } from './support/exactly-once';
import { FAULTS_CHANNEL, faultsNetwork, orgWriteLoad } from './support/faults-network';
import { ledgerCensus } from './support/ledger-census';
import { LedgerDisk } from './support/ledger-disk';
import { WriteLoad } from './support/write-load';

const { environment, layout, network } = faultsNetwork();
const CHANNEL = FAULTS_CHANNEL;
const peer = layout.peerProcess(HOSPITAL_A);
const disk = new LedgerDisk(join(layout.nodeDataDir(peer), 'production', 'ledgersData'));

/** `aal_errors_total{source="ledger",kind="unavailable"}` of the app's /metrics (0 when absent). */
async function ledgerUnavailableCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((entry) => entry.startsWith('aal_errors_total{source="ledger",kind="unavailable"}'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

/** The first line of the peer's log from `offset` on that reports the full disk. */
function noSpaceLine(logFile: string, offset: number): string | undefined {
  return (
    readFileSync(logFile, 'utf8')
      .slice(offset)
      .split('\n')
      .find((line) => /no space left on device/i.test(line))
      // eslint-disable-next-line no-control-regex -- the peer colours its log levels with ANSI escapes
      ?.replace(/\x1b\[[0-9;]*m/g, '')
  );
}

describe("fault 6: the disk of a peer's ledger full", () => {
  afterAll(async () => {
    // Whatever happened: the ledger back on the disk, the tmpfs gone, the peer running.
    if (network.supervisor.isRunning(peer)) await network.stopPeer(HOSPITAL_A);
    disk.unmount();
    await network.startPeer(HOSPITAL_A);
  });

  it('shows the peer failing in /readyz and /metrics, loses no acknowledged write, and recovers once space is freed', async () => {
    const hospitalA = environment.apps.HospitalA ?? '';
    const logFile = network.status().find((process) => process.name === peer)?.log ?? '';
    // The peer's ledger onto a small filesystem of its own (the peer stopped meanwhile).
    await network.stopPeer(HOSPITAL_A);
    disk.mount();
    await network.startPeer(HOSPITAL_A);
    await waitForReadiness(hospitalA, 200, 60_000);

    const load = new WriteLoad(orgWriteLoad(environment, HOSPITAL_A, `disk-full-${Date.now()}`));
    load.start();
    await load.waitForAcknowledgements(10, 60_000);
    const unavailableBefore = await ledgerUnavailableCount(hospitalA);
    const logOffset = readFileSync(logFile, 'utf8').length;

    const filledAt = Date.now();
    disk.fill();
    await waitForReadiness(hospitalA, 503, 90_000);
    const notReadyAfterMs = Date.now() - filledAt;
    const notReady = (await (await fetch(`${hospitalA}/readyz`)).json()) as { dependency?: string };
    // Until the app has answered a write of the load since (it retries inside first).
    const deadline = Date.now() + 60_000;
    while (!load.attemptsSince(filledAt + notReadyAfterMs).some((a) => a.status === 503) && Date.now() < deadline)
      await sleep(200);
    const unavailableAfter = await ledgerUnavailableCount(hospitalA);
    const peerExited = !network.supervisor.isRunning(peer);
    const logLine = noSpaceLine(logFile, logOffset);

    const freedAt = Date.now();
    disk.free();
    // The peer exits on a failed commit (see docs/operations.md): freeing space alone does not bring it back.
    if (!network.supervisor.isRunning(peer)) await network.startPeer(HOSPITAL_A);
    await waitForReadiness(hospitalA, 200, 90_000);
    const readyAfterMs = Date.now() - freedAt;
    await load.waitForAcknowledgements(10, 90_000);
    const firstAfter = load.acknowledgedSince(freedAt)[0];
    const report = await load.stop(60_000);
    const census = await ledgerCensus(layout, HOSPITAL_A, CHANNEL);
    const verdict = exactlyOnce(report, census);
    const whileFull = report.attempts.filter(
      (attempt) => attempt.at > filledAt + notReadyAfterMs && attempt.at < freedAt,
    );

    printMeasurement('peer ledger disk full', {
      acknowledged: verdict.acknowledged,
      committedOnce: verdict.committedOnce,
      duplicates: verdict.duplicates.length,
      readyz503AfterMs: notReadyAfterMs,
      readyzDependency: notReady.dependency ?? 'none',
      peerExited: String(peerExited),
      ledgerUnavailableErrors: unavailableAfter - unavailableBefore,
      answersWhileFull: [...new Set(whileFull.map((attempt) => attempt.status))].join(',') || 'none',
      readyz200AfterFreeMs: readyAfterMs,
      recoveryMs: (firstAfter?.at ?? Number.NaN) - freedAt,
      height: census.height,
    });
    process.stderr.write(`[faults] peer log on the full disk: ${logLine?.slice(0, 300) ?? 'none'}\n`);
    expect(notReady.dependency).toBe('peer');
    expect(unavailableAfter).toBeGreaterThan(unavailableBefore);
    expect(whileFull.filter((attempt) => attempt.status === 200 || attempt.status === 201)).toEqual([]);
    expectNothingLostOrDoubled(report, verdict);
  });
});
