import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  CHAINCODE_DIR,
  CHAINCODE_NAME,
  chaincodeVersion,
  CHANNELS,
  ensureBinaries,
  FabricNetwork,
  HOSPITAL_A,
  NetworkLayout,
  peerCliEnv,
  run,
} from '@aal/network';
import { testGateway } from '../support/gateway';
import { interactionRequest } from '../support/interactions';
import { loadTestEnvironment, testNetworkOptions } from '../support/test-network';

const environment = loadTestEnvironment();
const layout = new NetworkLayout(testNetworkOptions());

async function committed(channel: string): Promise<{ sequence: number; version: string }> {
  const binaries = await ensureBinaries();
  const org = CHANNELS.find((spec) => spec.name === channel)?.orgs[0] ?? HOSPITAL_A;
  const { stdout } = await run(
    binaries.peer,
    ['lifecycle', 'chaincode', 'querycommitted', '--channelID', channel, '--name', CHAINCODE_NAME, '--output', 'json'],
    { env: peerCliEnv(layout, join(layout.configDir, 'peer'), org) },
  );
  const definition = JSON.parse(stdout) as { sequence: number; version: string };
  return { sequence: Number(definition.sequence), version: definition.version };
}

/** The deployed code serves a real write and read: record an interaction, read it back. */
async function recordAndReadBack(label: string): Promise<void> {
  const id = `HospitalAMSP:redeploy-${label}-${Date.now()}`;
  const gateway = testGateway(HOSPITAL_A, 'recorder');
  try {
    const contract = gateway.gateway.getNetwork('hospital-a').getContract(CHAINCODE_NAME);
    await contract.submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(interactionRequest(id)));
    const answer = await contract.evaluateTransaction(TRANSACTIONS.getInteraction, id);
    expect(JSON.parse(Buffer.from(answer).toString('utf8'))).toMatchObject({
      id,
      org: 'HospitalAMSP',
      recordedBy: 'app-recorder',
    });
  } finally {
    gateway.close();
  }
}

/**
 * Records an interaction every 250 ms until stopped, each retried (same id) until the ledger has it:
 * a write endorsed under the old definition and committed after the new one is invalidated and retried.
 * Resolves with how many were written and how many attempts failed for good.
 */
function writeWhile(label: string): { stop: () => Promise<{ written: number; lost: string[] }> } {
  let running = true;
  const gateway = testGateway(HOSPITAL_A, 'recorder');
  const contract = gateway.gateway.getNetwork('hospital-a').getContract(CHAINCODE_NAME);
  const lost: string[] = [];
  let written = 0;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const id = `HospitalAMSP:during-${label}-${Date.now()}-${n}`;
      let done = false;
      for (let attempt = 0; attempt < 8 && !done; attempt++) {
        try {
          await contract.submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(interactionRequest(id)));
          done = true;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
      if (done) written += 1;
      else lost.push(id);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      gateway.close();
      return { written, lost };
    },
  };
}

describe('chaincode redeployment', () => {
  it('leaves unchanged code alone, commits changed code at the next sequence on every channel, and serves it', async () => {
    const network = new FabricNetwork(testNetworkOptions());
    const before = await Promise.all(CHANNELS.map((channel) => committed(channel.name)));
    expect(before.map((definition) => definition.version)).toEqual(CHANNELS.map(() => environment.chaincodeVersion));

    expect(await network.deploy()).toBe(environment.chaincodeVersion);
    expect(await Promise.all(CHANNELS.map((channel) => committed(channel.name)))).toEqual(before);

    const file = join(CHAINCODE_DIR, 'dist', 'index.js');
    const original = readFileSync(file);
    try {
      appendFileSync(file, `\n// changed by the redeployment test at ${new Date().toISOString()}\n`);
      const changed = chaincodeVersion();
      expect(changed).not.toBe(environment.chaincodeVersion);
      // Writes go on while the new code rolls out beside the old (the next generation's servers).
      const writer = writeWhile('upgrade');
      expect(await network.deploy()).toBe(changed);
      const during = await writer.stop();
      expect(during.lost).toEqual([]);
      expect(during.written).toBeGreaterThan(0);
      const after = await Promise.all(CHANNELS.map((channel) => committed(channel.name)));
      expect(after).toEqual(before.map((definition) => ({ sequence: definition.sequence + 1, version: changed })));
      // One server per org, under its usual name, now at the other generation's address; none left beside it.
      const chaincodeProcesses = network
        .status()
        .filter((process) => process.name.startsWith('chaincode.'))
        .map((process) => process.name)
        .sort();
      expect(chaincodeProcesses).toEqual(
        ['ai-provider', 'hospital-a', 'hospital-b', 'regulator'].map((slug) => `chaincode.${slug}`),
      );
      await recordAndReadBack('changed');
    } finally {
      writeFileSync(file, original);
      await network.deploy();
    }
    const restored = await Promise.all(CHANNELS.map((channel) => committed(channel.name)));
    expect(restored).toEqual(
      before.map((definition) => ({ sequence: definition.sequence + 2, version: environment.chaincodeVersion })),
    );
    await recordAndReadBack('restored');
    // Three deployments (each installs, approves and commits on both channels and restarts the servers).
  }, 360_000);
});
