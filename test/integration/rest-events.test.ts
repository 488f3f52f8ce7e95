import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore } from '@aal/application';
import { HOSPITAL_A, NetworkLayout } from '@aal/network';
import { startExtraApp, waitUntilReady } from '../support/extra-app';
import { collectEvents, type ServerSentEvent } from '../support/sse-client';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';
import { extraPort } from '../support/extra-ports';

const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const hospitalA = environment.apps.HospitalA ?? '';
const regulator = environment.apps.Regulator ?? '';
const A = '/api/v1/channels/hospital-a';
const unique = (prefix: string): string => `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

/** Registers a subject and grants a consent at HospitalA; answers the grant's transaction id. */
async function grant(): Promise<string> {
  const manager = { ...bearer(environment, 'HospitalA', 'consent-manager'), 'content-type': 'application/json' };
  const subject = (await (
    await fetch(`${hospitalA}${A}/subjects`, {
      method: 'POST',
      headers: manager,
      body: JSON.stringify({ identifier: unique('MRN') }),
    })
  ).json()) as { subjectRef: string };
  const response = await fetch(`${hospitalA}${A}/consents`, {
    method: 'POST',
    headers: manager,
    body: JSON.stringify({
      id: unique('ev'),
      subjectRef: subject.subjectRef,
      grantees: ['AIProviderMSP'],
      decision: 'permit',
      purposes: ['research'],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'3'.repeat(64)}`,
    }),
  });
  expect(response.status).toBe(201);
  return response.headers.get('x-transaction-id') ?? '';
}

const transactionIds = (events: readonly ServerSentEvent[]): string[] =>
  events.map((event) => (JSON.parse(event.data) as { transactionId: string }).transactionId);

describe('server-sent events over HTTP against the real network', () => {
  it('delivers events; a client that disconnects and resumes with Last-Event-ID gets each later event exactly once', async () => {
    const auditor = bearer(environment, 'Regulator', 'auditor');
    const first = await grant();
    const second = await grant();
    const third = await grant();
    // Replays from the first grant's block, so the stream starts before our events.
    const block = (await (
      await fetch(`${regulator}/api/v1/channels/hospital-a/transactions/${first}`, { headers: auditor })
    ).json()) as { blockNumber: string };
    const url = `${regulator}${A}/events?events=ConsentGranted&startBlock=${block.blockNumber}`;
    const opening = await collectEvents(url, auditor, 1);
    expect(opening.map((event) => event.event)).toEqual(['ConsentGranted']);
    expect(transactionIds(opening)).toEqual([first]);
    expect(opening[0]?.id).toMatch(new RegExp(`^${block.blockNumber}:\\d+$`));

    const resumed = await collectEvents(url, { ...auditor, 'last-event-id': opening[0]?.id ?? '' }, 2);
    expect(transactionIds(resumed)).toEqual([second, third]);
    const again = await collectEvents(url, { ...auditor, 'last-event-id': resumed[0]?.id ?? '' }, 1);
    expect(transactionIds(again)).toEqual([third]);
  });

  it('resumes across an app restart: the position is in the client’s Last-Event-ID, not in the app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aal-events-'));
    const port = extraPort(options.basePort, 'eventsApp');
    const profilePath = layout.gatewayProfile(HOSPITAL_A);
    const store = new ApiKeyStore(join(dir, 'keys.json'));
    const key = store.create('events-auditor', 'auditor').key;
    const env = {
      AAL_GATEWAY_PROFILE: profilePath,
      AAL_API_KEY_STORE: store.path,
      AAL_AUDITOR_READ_LOG: join(dir, 'reads.jsonl'),
      // Its own audit index: HospitalA's network app holds the org's default one.
      AAL_AUDIT_INDEX_PATH: join(dir, 'audit-index.sqlite'),
    };
    const headers = { authorization: `Bearer ${key}` };
    try {
      const before = await grant();
      const block = (await (
        await fetch(`${hospitalA}/api/v1/channels/hospital-a/transactions/${before}`, {
          headers: bearer(environment, 'HospitalA', 'auditor'),
        })
      ).json()) as { blockNumber: string };
      let app = await startExtraApp(port, env);
      await waitUntilReady(app);
      const url = `${app.url}${A}/events?events=ConsentGranted&startBlock=${block.blockNumber}`;
      const seen = await collectEvents(url, headers, 1);
      expect(transactionIds(seen)).toEqual([before]);
      expect(await app.stop()).toBe(0);

      const whileDown = [await grant(), await grant()];
      app = await startExtraApp(port, env);
      await waitUntilReady(app);
      try {
        const resumed = await collectEvents(url, { ...headers, 'last-event-id': seen[0]?.id ?? '' }, 2);
        expect(transactionIds(resumed)).toEqual(whileDown);
      } finally {
        await app.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses roles other than auditor and admin, and channels the org is not on', async () => {
    expect(
      (await fetch(`${regulator}${A}/events`, { headers: bearer(environment, 'Regulator', 'recorder') })).status,
    ).toBe(403);
    expect(
      (
        await fetch(`${environment.apps.HospitalB ?? ''}${A}/events`, {
          headers: bearer(environment, 'HospitalB', 'auditor'),
        })
      ).status,
    ).toBe(404);
  });
});
