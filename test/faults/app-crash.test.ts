import { HOSPITAL_A } from '@aal/network';
import { setTimeout as sleep } from 'node:timers/promises';
import { exactlyOnce, printMeasurement, waitForReadiness, expectNothingLostOrDoubled } from './support/exactly-once';
import { FAULTS_CHANNEL, faultsNetwork, orgWriteLoad } from './support/faults-network';
import { ledgerCensus } from './support/ledger-census';
import { WriteLoad } from './support/write-load';

const { environment, layout, network } = faultsNetwork();
const CHANNEL = FAULTS_CHANNEL;

describe('fault 1: the REST app killed (SIGKILL) while records are being gathered', () => {
  afterAll(async () => {
    // Whatever happened, the next scenario needs the app.
    if (!network.supervisor.isRunning(layout.applicationProcess(HOSPITAL_A)))
      await network.startApplication(HOSPITAL_A);
  });

  it('loses no acknowledged record and writes none twice once the client has retried with the same ids', async () => {
    const url = environment.apps.HospitalA ?? '';
    const load = new WriteLoad(orgWriteLoad(environment, HOSPITAL_A, `app-crash-${Date.now()}`));
    load.start();
    await load.waitForAcknowledgements(15, 60_000);

    const killedAt = Date.now();
    expect(await network.kill(layout.applicationProcess(HOSPITAL_A))).toBe(true);
    await sleep(1_000);
    const acknowledgedWhileDown = load.acknowledgedSince(killedAt + 200).length;
    await network.startApplication(HOSPITAL_A);
    const restartedAt = Date.now();
    await waitForReadiness(url, 200, 60_000);
    await load.waitForAcknowledgements(15, 60_000);
    const firstAfter = load.acknowledgedSince(restartedAt)[0];
    const report = await load.stop(60_000);
    const census = await ledgerCensus(layout, HOSPITAL_A, CHANNEL);
    const verdict = exactlyOnce(report, census);

    printMeasurement('app kill -9', {
      acknowledged: verdict.acknowledged,
      committedOnce: verdict.committedOnce,
      missing: verdict.missing.length,
      duplicates: verdict.duplicates.length,
      retriedAcknowledged: verdict.retriedAcknowledged,
      replayAcknowledged: verdict.replayAcknowledged,
      cutRequests: report.attempts.filter((attempt) => attempt.status === 'network').length,
      recoveryMs: (firstAfter?.at ?? Number.NaN) - killedAt,
    });
    expect(acknowledgedWhileDown).toBe(0);
    // Requests were cut by the kill (in flight, gathered) and answered only after retries.
    expect(report.attempts.some((attempt) => attempt.status === 'network')).toBe(true);
    expect(verdict.retriedAcknowledged).toBeGreaterThan(0);
    expectNothingLostOrDoubled(report, verdict);
    expect(new Set(report.acknowledged.map((ack) => ack.kind))).toEqual(
      new Set(['single', 'interactions-batch', 'merkle-batch']),
    );
  });
});
