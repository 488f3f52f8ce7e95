import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../observability/metrics';
import type { CheckOutcome } from '../../readiness/cached-check';
import type { OrderingOutage } from '../../readiness/ordering-outcomes';
import { FakeLedger } from '../../testing/fake-ledger-client';
import { problemHandler } from '../middleware/problem-handler';
import { operationsRoutes } from './operations-routes';

describe('/readyz with the chaincode and ordering checks', () => {
  let server: Server;
  let url: string;
  let chaincode: CheckOutcome;
  let outages: OrderingOutage[];
  beforeEach(async () => {
    chaincode = undefined;
    outages = [];
    const app = express();
    app.use(
      operationsRoutes({
        org: 'HospitalA',
        ledger: new FakeLedger().clientFor('auditor'),
        metrics: createMetrics(),
        chaincodeProblem: () => Promise.resolve(chaincode),
        orderingOutages: () => outages,
      }),
    );
    app.use(problemHandler);
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function readyz(): Promise<{ status: number; retryAfter: string | null; type: string | null; body: unknown }> {
    const answer = await fetch(`${url}/readyz`);
    return {
      status: answer.status,
      retryAfter: answer.headers.get('retry-after'),
      type: answer.headers.get('content-type'),
      body: await answer.json(),
    };
  }

  it("answers 503 naming the chaincode while the org's chaincode server does not answer, and 200 once it does", async () => {
    expect((await readyz()).status).toBe(200);
    chaincode = "the org's chaincode does not answer on hospital-a";
    const down = await readyz();
    expect(down).toMatchObject({ status: 503, retryAfter: '5' });
    expect(down.type).toContain('application/problem+json');
    expect(down.body).toMatchObject({ title: 'Chaincode unavailable', dependency: 'chaincode', detail: chaincode });
    chaincode = undefined;
    expect((await readyz()).status).toBe(200);
  });

  it('answers 503 naming the ordering service and its channels while submits are refused, and 200 once one is ordered', async () => {
    outages = [
      { channel: 'hospital-a', since: Date.UTC(2026, 10, 30), lastError: 'no Raft leader', reason: 'refused' },
    ];
    const down = await readyz();
    expect(down).toMatchObject({ status: 503, retryAfter: '5' });
    expect(JSON.stringify(down.body)).not.toContain('Raft');
    expect(down.body).toMatchObject({
      title: 'Ordering unavailable',
      dependency: 'ordering',
      ordering: { unavailable: ['hospital-a'] },
      detail: "the ordering service of hospital-a has refused this app's submits since 2026-11-30T00:00:00.000Z",
    });
    outages = [];
    expect((await readyz()).status).toBe(200);
  });

  it('answers 503 naming the channel while its submits stall with none ordered', async () => {
    outages = [
      { channel: 'hospital-a', since: Date.UTC(2026, 10, 30), lastError: '3 submit(s) waiting', reason: 'stalled' },
    ];
    const down = await readyz();
    expect(down).toMatchObject({ status: 503, retryAfter: '5' });
    expect(down.body).toMatchObject({
      dependency: 'ordering',
      ordering: { unavailable: ['hospital-a'] },
      detail:
        'no submit of this app on hospital-a has been ordered since 2026-11-30T00:00:00.000Z while submits wait (the other orgs’ peers or the orderers do not answer)',
    });
  });
});
