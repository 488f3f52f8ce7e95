import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AppRole, FabricNetwork, issueApiKeys, type NetworkOptions, PEER_ORGS } from '@aal/network';
import { extraPortClashes } from './extra-ports';
import { interactionRequest, postInteraction } from './interactions';
import { testEnvironmentFile, testNetworkOptions, type TestEnvironment } from './test-network';

/**
 * Starts a fresh network for the integration tests (3 Raft orderers and 5 CAs, or with
 * AAL_TEST_ORDERING=bft one SmartBFT orderer per member and 4 CAs; 4 peers, chaincode servers and REST apps), then waits until each org's app can write through its gateway: right
 * after start-up, discovery may not yet know every org's peer.
 */
export default async function globalSetup(): Promise<void> {
  await startTestNetwork(testNetworkOptions(), 'integration');
}

/**
 * Starts a fresh network with `options` (its own directory and ports), deploys, starts the apps,
 * issues one test API key per org and role, waits until every app writes, and writes the
 * {@link TestEnvironment} the test files load. `label` names the suite in the progress line.
 */
export async function startTestNetwork(options: NetworkOptions, label: string): Promise<void> {
  const clashes = extraPortClashes(options);
  if (clashes.length > 0) throw new Error(`test/support/extra-ports.ts: ${clashes.join('; ')}`);
  const network = new FabricNetwork(options);
  if (existsSync(options.dir)) await network.down({ purge: true });
  const started = Date.now();
  let chaincodeVersion: string;
  let apps: Record<string, string>;
  const apiKeys: Record<string, Record<AppRole, string>> = {};
  try {
    await network.up();
    chaincodeVersion = await network.deploy();
    apps = await network.startApplications();
    for (const org of PEER_ORGS) apiKeys[org.name] = issueApiKeys(network.layout, org, 'integration');
    for (const org of PEER_ORGS) {
      const channel = org.slug === 'hospital-b' ? 'hospital-b' : 'hospital-a';
      await waitUntilWritable(org.name, apps[org.name] ?? '', channel, apiKeys[org.name]?.recorder ?? '');
    }
  } catch (error) {
    // Jest runs no global teardown after a failed setup: stop what was started, or its processes
    // would hold the ports for the next run.
    await network.down();
    throw error;
  }
  const environment: TestEnvironment = { options, chaincodeVersion, apps, apiKeys };
  // Holds live API keys: owner-only, like the stores themselves.
  writeFileSync(testEnvironmentFile(options), JSON.stringify(environment, null, 2), { mode: 0o600 });
  process.stderr.write(`\n[${label}] network ready in ${Math.round((Date.now() - started) / 1000)}s\n`);
}

async function waitUntilWritable(org: string, url: string, channel: string, recorderKey: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  let last = '';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const response = await postInteraction(
      url,
      channel,
      { authorization: `Bearer ${recorderKey}` },
      interactionRequest(`warm-up-${org}-${attempt}`, { applicationId: 'readiness-check' }),
    );
    // Every body is read to its end: an unread one, collected later, can tear down a pooled
    // connection that a test's request is using by then ("other side closed").
    last = `${response.status} ${await response.text()}`;
    if (response.status !== 201) {
      await sleep(1000);
      continue;
    }
    // Ready also means the auditor-read log was compared with its ledger anchor: auditor reads are recorded.
    const ready = await fetch(`${url}/readyz`);
    last = `readyz ${ready.status} ${await ready.text()}`;
    if (ready.ok) return;
    await sleep(1000);
  }
  throw new Error(`${org}'s application could not write within 90s; last answer: ${last}`);
}
