import { AI_PROVIDER, HOSPITAL_A, HOSPITAL_B, REGULATOR } from '@aal/network';
import { setTimeout as sleep } from 'node:timers/promises';
import { exactlyOnce, printMeasurement, waitForReadiness, expectNothingLostOrDoubled } from './support/exactly-once';
import { FAULTS_CHANNEL, faultsNetwork, faultsNetworkOptions, orgWriteLoad } from './support/faults-network';
import { blockHeight, ledgerCensus, settledHeights } from './support/ledger-census';
import { OrgCut } from './support/org-cut';
import { WriteLoad } from './support/write-load';

const { environment, layout, network } = faultsNetwork();
const CHANNEL = FAULTS_CHANNEL;
const orgCut = new OrgCut(faultsNetworkOptions().basePort);

describe('fault 5: an org cut off from the network by a packet filter (its peer and app keep running)', () => {
  afterAll(async () => {
    orgCut.remove();
    if (!network.supervisor.isRunning(layout.peerProcess(HOSPITAL_A))) await network.startPeer(HOSPITAL_A);
    if (!network.supervisor.isRunning(layout.applicationProcess(HOSPITAL_A)))
      await network.startApplication(HOSPITAL_A);
  });

  it('lets the other orgs write on, and the cut org catches up and writes again once the cut heals', async () => {
    const hospitalA = environment.apps.HospitalA ?? '';
    // HospitalA's peer and app restarted inside the cut's group (their sockets must be created there).
    await orgCut.startInside(async () => {
      await network.stopPeer(HOSPITAL_A);
      await network.startPeer(HOSPITAL_A);
      await network.kill(layout.applicationProcess(HOSPITAL_A));
      await network.startApplication(HOSPITAL_A);
    });
    await waitForReadiness(hospitalA, 200, 60_000);
    const run = Date.now();
    const ownLoad = new WriteLoad(orgWriteLoad(environment, HOSPITAL_A, `org-cut-a-${run}`));
    // The same channel through another org's app: endorsed by AIProvider and Regulator (MAJORITY of three).
    const otherLoad = new WriteLoad({
      ...orgWriteLoad(environment, AI_PROVIDER, `org-cut-p-${run}`),
      writers: { single: 3, 'interactions-batch': 1, 'merkle-batch': 0 },
    });
    ownLoad.start();
    otherLoad.start();
    await Promise.all([ownLoad.waitForAcknowledgements(10, 60_000), otherLoad.waitForAcknowledgements(5, 60_000)]);

    const cutAt = Date.now();
    orgCut.cut(layout.peerEndpoint(HOSPITAL_A).port, [
      ...layout.ordererIndexes().map((i) => layout.ordererEndpoint(i).port),
      ...[AI_PROVIDER, REGULATOR, HOSPITAL_B].map((org) => layout.peerEndpoint(org).port),
    ]);
    // HospitalA's app tells the truth: its own peer answers, but its writes stall (no submit ordered).
    await waitForReadiness(hospitalA, 503, 60_000);
    const readyz503AfterCutMs = Date.now() - cutAt;
    const notReady = (await (await fetch(`${hospitalA}/readyz`)).json()) as { dependency?: string };
    const readyzDependencyWhileCut = notReady.dependency ?? 'none';
    // The rest writes on (once gossip and the gateways have given up on HospitalA's peer), for at least 20 s.
    await otherLoad.waitForAcknowledgements(5, 90_000);
    const otherResumedMs = Date.now() - cutAt;
    await sleep(Math.max(0, cutAt + 20_000 - Date.now()));
    const heightsWhileCut = await Promise.all(
      [HOSPITAL_A, AI_PROVIDER].map((org) => blockHeight(layout, org, CHANNEL)),
    );

    const healedAt = Date.now();
    orgCut.heal();
    await ownLoad.waitForAcknowledgements(10, 90_000);
    const firstOwnAfter = ownLoad.acknowledgedSince(healedAt)[0];
    await waitForReadiness(hospitalA, 200, 60_000);
    const readyz200AfterHealMs = Date.now() - healedAt;
    const [own, other] = await Promise.all([ownLoad.stop(60_000), otherLoad.stop(60_000)]);
    const heights = await settledHeights(layout, [HOSPITAL_A, AI_PROVIDER, REGULATOR], CHANNEL);
    const caughtUpMs = Date.now() - healedAt;
    const census = await ledgerCensus(layout, HOSPITAL_A, CHANNEL);
    const ownVerdict = exactlyOnce(own, census);
    const otherVerdict = exactlyOnce(other, census);
    const ownWhileCut = own.acknowledged.filter((ack) => ack.at > cutAt + 2_000 && ack.at < healedAt).length;
    const otherWhileCut = other.acknowledged.filter((ack) => ack.at > cutAt && ack.at < healedAt).length;

    printMeasurement('org cut off', {
      acknowledged: ownVerdict.acknowledged + otherVerdict.acknowledged,
      committedOnce: ownVerdict.committedOnce + otherVerdict.committedOnce,
      duplicates: ownVerdict.duplicates.length + otherVerdict.duplicates.length,
      cutMs: healedAt - cutAt,
      otherOrgResumedAfterMs: otherResumedMs,
      otherOrgAcknowledgedWhileCut: otherWhileCut,
      ownOrgAcknowledgedWhileCut: ownWhileCut,
      ownAnswersWhileCut:
        [
          ...new Set(
            own.attempts.filter((a) => a.at > cutAt + 2_000 && a.at < healedAt).map((attempt) => attempt.status),
          ),
        ].join(',') || 'none',
      readyz503AfterCutMs,
      readyzDependencyWhileCut,
      readyz200AfterHealMs,
      heightsWhileCut: heightsWhileCut.join('/'),
      recoveryMs: (firstOwnAfter?.at ?? Number.NaN) - healedAt,
      caughtUpMs,
      height: heights.join('/'),
    });
    expect(otherWhileCut).toBeGreaterThanOrEqual(5);
    expect(ownWhileCut).toBe(0);
    expect(readyzDependencyWhileCut).toBe('ordering');
    // HospitalA's peer fell behind while cut, and caught up after.
    expect(heightsWhileCut[0]).toBeLessThan(heightsWhileCut[1] ?? 0);
    expect(heights.every((height) => height === heights[0])).toBe(true);
    for (const [report, verdict] of [
      [own, ownVerdict],
      [other, otherVerdict],
    ] as const) {
      expectNothingLostOrDoubled(report, verdict);
    }
  });
});
