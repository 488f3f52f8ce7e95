import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import { setTimeout as sleep } from 'node:timers/promises';
import { exactlyOnce, printMeasurement, waitForReadiness, expectNothingLostOrDoubled } from './support/exactly-once';
import { FAULTS_CHANNEL, faultsNetwork, orgWriteLoad } from './support/faults-network';
import { ledgerCensus, settledHeights } from './support/ledger-census';
import { WriteLoad } from './support/write-load';

const { environment, layout, network } = faultsNetwork();
const CHANNEL = FAULTS_CHANNEL;

describe('fault 2: one endorsing peer killed (SIGKILL), then restarted', () => {
  afterAll(async () => {
    if (!network.supervisor.isRunning(layout.peerProcess(HOSPITAL_A))) await network.startPeer(HOSPITAL_A);
  });

  it('keeps writing through the other orgs, tells the truth in /readyz, catches up and recovers its app without a restart', async () => {
    const hospitalA = environment.apps.HospitalA ?? '';
    const run = Date.now();
    const ownLoad = new WriteLoad(orgWriteLoad(environment, HOSPITAL_A, `peer-crash-a-${run}`));
    // The same channel through another org's app: endorsed by AIProvider and Regulator (MAJORITY of three).
    const otherLoad = new WriteLoad({
      ...orgWriteLoad(environment, AI_PROVIDER, `peer-crash-p-${run}`),
      writers: { single: 3, 'interactions-batch': 1, 'merkle-batch': 0 },
    });
    ownLoad.start();
    otherLoad.start();
    await Promise.all([ownLoad.waitForAcknowledgements(10, 60_000), otherLoad.waitForAcknowledgements(5, 60_000)]);

    const killedAt = Date.now();
    expect(await network.kill(layout.peerProcess(HOSPITAL_A))).toBe(true);
    const notReadyAfterMs = await waitForReadiness(hospitalA, 503, 15_000);
    // Writes through the other orgs' peers go on while HospitalA's peer is down.
    await otherLoad.waitForAcknowledgements(5, 60_000);
    const ownWhileDown = ownLoad.acknowledgedSince(killedAt + 1_000).length;
    // Until HospitalA's app has answered a write of its own load (it retries inside first).
    const answerDeadline = Date.now() + 30_000;
    while (
      !ownLoad.attemptsSince(killedAt + 1_000).some((attempt) => attempt.status !== 'network') &&
      Date.now() < answerDeadline
    )
      await sleep(200);
    expect((await fetch(`${hospitalA}/readyz`)).status).toBe(503);

    await network.startPeer(HOSPITAL_A);
    const restartedAt = Date.now();
    const readyAfterMs = await waitForReadiness(hospitalA, 200, 90_000);
    await ownLoad.waitForAcknowledgements(10, 90_000);
    const firstOwnAfter = ownLoad.acknowledgedSince(restartedAt)[0];
    const [own, other] = await Promise.all([ownLoad.stop(60_000), otherLoad.stop(60_000)]);

    // The restarted peer catches up to the others' height (nothing is written any more).
    const heights = await settledHeights(layout, [HOSPITAL_A, AI_PROVIDER, REGULATOR], CHANNEL);
    const caughtUpMs = Date.now() - restartedAt;
    // Counted from the restarted peer's own blocks.
    const census = await ledgerCensus(layout, HOSPITAL_A, CHANNEL);
    const ownVerdict = exactlyOnce(own, census);
    const otherVerdict = exactlyOnce(other, census);

    printMeasurement('peer kill -9', {
      acknowledged: ownVerdict.acknowledged + otherVerdict.acknowledged,
      committedOnce: ownVerdict.committedOnce + otherVerdict.committedOnce,
      duplicates: ownVerdict.duplicates.length + otherVerdict.duplicates.length,
      otherOrgAcknowledgedWhileDown: other.acknowledged.filter((ack) => ack.at > killedAt && ack.at < restartedAt)
        .length,
      ownOrgAcknowledgedWhileDown: ownWhileDown,
      readyz503AfterMs: notReadyAfterMs,
      readyz200AfterRestartMs: readyAfterMs,
      recoveryMs: (firstOwnAfter?.at ?? Number.NaN) - restartedAt,
      caughtUpMs,
      height: heights.join('/'),
    });
    expect(heights.every((height) => height === heights[0])).toBe(true);
    expect(ownWhileDown).toBe(0);
    for (const [report, verdict] of [
      [own, ownVerdict],
      [other, otherVerdict],
    ] as const) {
      expectNothingLostOrDoubled(report, verdict);
    }
    // What HospitalA's app answered while its peer was down (after the answers already on their way at the
    // kill): 503 problems with Retry-After, or no answer in time.
    const answered = own.attempts.filter(
      (attempt) => attempt.at > killedAt + 1_000 && attempt.at < restartedAt && attempt.status !== 'network',
    );
    expect(answered.length).toBeGreaterThan(0);
    for (const attempt of answered) expect(attempt).toMatchObject({ status: 503, problemJson: true, retryAfter: '5' });
  });
});
