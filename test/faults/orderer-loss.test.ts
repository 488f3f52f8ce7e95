import { HOSPITAL_A } from '@aal/network';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  exactlyOnce,
  median,
  printMeasurement,
  waitForReadiness,
  expectNothingLostOrDoubled,
} from './support/exactly-once';
import { FAULTS_CHANNEL, faultsNetwork, orgWriteLoad } from './support/faults-network';
import { ledgerCensus } from './support/ledger-census';
import { WriteLoad, type WriteLoadOptions } from './support/write-load';

const { environment, layout, network } = faultsNetwork();
const CHANNEL = FAULTS_CHANNEL;

describe('fault 3: orderers of the three-node Raft cluster killed (SIGKILL)', () => {
  afterAll(async () => {
    for (const i of layout.ordererIndexes())
      if (!network.supervisor.isRunning(layout.ordererProcess(i))) await network.startOrderer(i);
  });

  it('writes on with one of three down, answer 503 with Retry-After with two down, and resume by themselves', async () => {
    const hospitalA = environment.apps.HospitalA ?? '';
    const loadOptions: WriteLoadOptions = orgWriteLoad(environment, HOSPITAL_A, `orderers-${Date.now()}`);
    const load = new WriteLoad(loadOptions);
    load.start();
    const began = Date.now();
    await load.waitForAcknowledgements(20, 60_000);
    const before = median(load.acknowledgedSince(began).map((ack) => ack.latencyMs));

    // One of three: Raft keeps its quorum (a new leader is elected if the leader was hit).
    const oneDownAt = Date.now();
    await network.kill(layout.ordererProcess(0));
    await load.waitForAcknowledgements(20, 60_000);
    const oneDown = load.acknowledgedSince(oneDownAt);
    const during = median(oneDown.map((ack) => ack.latencyMs));

    // Two of three: no quorum, nothing can be ordered. Answers already on their way at the kill are
    // left out (2 s); then every answer must be a 503 problem with Retry-After.
    const twoDownAt = Date.now();
    await network.kill(layout.ordererProcess(1));
    const settledAt = twoDownAt + 2_000;
    const deadline = Date.now() + 60_000;
    while (!load.attemptsSince(settledAt).some((attempt) => attempt.status === 503) && Date.now() < deadline)
      await sleep(200);
    await sleep(2_000);
    const refusedWithoutQuorum = load.attemptsSince(settledAt).filter((attempt) => attempt.status !== 'network');
    const acknowledgedWithoutQuorum = load.acknowledgedSince(settledAt).length;
    // The app's own refused submits are /readyz's evidence: 503 naming the ordering service.
    await waitForReadiness(hospitalA, 503, 30_000);
    const readyz503AfterMs = Date.now() - twoDownAt;
    const notReady = (await (await fetch(`${hospitalA}/readyz`)).json()) as {
      dependency?: string;
      ordering?: { unavailable?: string[] };
    };

    const restartedAt = Date.now();
    await network.startOrderer(1);
    await load.waitForAcknowledgements(20, 90_000);
    const firstAfter = load.acknowledgedSince(restartedAt)[0];
    await waitForReadiness(hospitalA, 200, 10_000);
    const readyz200AfterRestartMs = Date.now() - restartedAt;
    await network.startOrderer(0);
    const report = await load.stop(90_000);
    const census = await ledgerCensus(layout, HOSPITAL_A, CHANNEL);
    const verdict = exactlyOnce(report, census);

    printMeasurement('orderers', {
      acknowledged: verdict.acknowledged,
      committedOnce: verdict.committedOnce,
      duplicates: verdict.duplicates.length,
      p50LatencyAllUpMs: before,
      p50LatencyOneDownMs: during,
      answersWithoutQuorum: refusedWithoutQuorum.map((attempt) => attempt.status).join(',') || 'none',
      recoveryMs: (firstAfter?.at ?? Number.NaN) - restartedAt,
      readyz503AfterMs,
      readyz200AfterRestartMs,
    });
    expect(notReady).toMatchObject({ dependency: 'ordering', ordering: { unavailable: [CHANNEL] } });
    expect(oneDown.length).toBeGreaterThanOrEqual(20);
    expect(refusedWithoutQuorum.length).toBeGreaterThan(0);
    for (const attempt of refusedWithoutQuorum)
      expect(attempt).toMatchObject({ status: 503, problemJson: true, retryAfter: '5' });
    expect(acknowledgedWithoutQuorum).toBe(0);
    expectNothingLostOrDoubled(report, verdict);
  });
});
