import { HOSPITAL_A } from '@aal/network';
import { setTimeout as sleep } from 'node:timers/promises';
import { interactionsPath } from '../support/interactions';
import { bearer } from '../support/test-network';
import { exactlyOnce, printMeasurement, waitForReadiness, expectNothingLostOrDoubled } from './support/exactly-once';
import { FAULTS_CHANNEL, faultsNetwork, orgWriteLoad } from './support/faults-network';
import { ledgerCensus } from './support/ledger-census';
import { WriteLoad } from './support/write-load';

const { environment, layout, network } = faultsNetwork();
const CHANNEL = FAULTS_CHANNEL;

describe("fault 4: an org's chaincode server killed (SIGKILL), then restarted", () => {
  afterAll(async () => {
    if (!network.supervisor.isRunning(layout.chaincodeProcess(HOSPITAL_A)))
      await network.startChaincodeServer(HOSPITAL_A);
  });

  it('refuses its writes with 503 problems (never 500) while it is down and recovers without intervention once it is back', async () => {
    const hospitalA = environment.apps.HospitalA ?? '';
    const load = new WriteLoad(orgWriteLoad(environment, HOSPITAL_A, `chaincode-crash-${Date.now()}`));
    load.start();
    await load.waitForAcknowledgements(15, 60_000);
    const acknowledgedId = load.acknowledgedSince(0)[0]?.ids[0] ?? '';

    const killedAt = Date.now();
    expect(await network.kill(layout.chaincodeProcess(HOSPITAL_A))).toBe(true);
    // /readyz checks the chaincode at most every 5 s: 503 within about that.
    const readyz503AfterMs = await waitForReadiness(hospitalA, 503, 15_000);
    const notReady = (await (await fetch(`${hospitalA}/readyz`)).json()) as { dependency?: string };
    await sleep(Math.max(0, killedAt + 5_000 - Date.now()));
    // A point read is an evaluation: the peer's gateway hands it to another org's peer when its own chaincode fails.
    const read = await fetch(`${hospitalA}${interactionsPath(CHANNEL, acknowledgedId)}`, {
      headers: bearer(environment, 'HospitalA', 'auditor'),
    });
    const readBody = (await read.json()) as { interaction?: { id: string } };
    const downFor = Date.now() - killedAt;

    const restartedAt = Date.now();
    await network.startChaincodeServer(HOSPITAL_A);
    const readyz200AfterRestartMs = await waitForReadiness(hospitalA, 200, 30_000);
    await load.waitForAcknowledgements(15, 90_000);
    const firstAfter = load.acknowledgedSince(restartedAt)[0];
    const report = await load.stop(60_000);
    const census = await ledgerCensus(layout, HOSPITAL_A, CHANNEL);
    const verdict = exactlyOnce(report, census);
    const whileDown = report.attempts.filter((attempt) => attempt.at > killedAt + 500 && attempt.at < restartedAt);

    printMeasurement('chaincode server kill -9', {
      acknowledged: verdict.acknowledged,
      committedOnce: verdict.committedOnce,
      duplicates: verdict.duplicates.length,
      downMs: downFor,
      answersWhileDown: [...new Set(whileDown.map((attempt) => attempt.status))].join(',') || 'none',
      acknowledgedWhileDown: whileDown.filter((attempt) => attempt.status === 200 || attempt.status === 201).length,
      pointReadWhileDown: read.status,
      readyz503AfterMs,
      readyz200AfterRestartMs,
      recoveryMs: (firstAfter?.at ?? Number.NaN) - restartedAt,
    });
    expect(notReady.dependency).toBe('chaincode');
    expect(read.status).toBe(200);
    expect(readBody.interaction?.id).toBe(acknowledgedId);
    // Writes need HospitalA's peer to endorse first: refused while its chaincode is down, as 503 problems.
    expect(whileDown.filter((attempt) => attempt.status === 503).length).toBeGreaterThan(0);
    expect(whileDown.filter((attempt) => attempt.status === 200 || attempt.status === 201)).toEqual([]);
    for (const attempt of whileDown.filter((entry) => entry.status !== 200 && entry.status !== 201))
      expect(attempt).toMatchObject({ status: 503, problemJson: true, retryAfter: '5' });
    expectNothingLostOrDoubled(report, verdict);
  });
});
