import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from '../../network/src/binaries';
import { CHAINCODE_DIR, chaincodeVersion } from '../../network/src/chaincode-lifecycle';
import { run } from '../../network/src/command';
import { NetworkLayout } from '../../network/src/layout';
import { FabricNetwork } from '../../network/src/network';
import { peerCliEnv } from '../../network/src/nodes';
import { CHAINCODE_NAME, CHANNELS, HOSPITAL_A } from '../../network/src/topology';
import { testGateway } from '../support/gateway';
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

async function whoAmIWorks(): Promise<void> {
  const gateway = testGateway(HOSPITAL_A, 'recorder');
  try {
    const answer = await gateway.gateway.getNetwork('hospital-a').getContract(CHAINCODE_NAME).evaluateTransaction('Probe:WhoAmI');
    expect(JSON.parse(Buffer.from(answer).toString('utf8'))).toEqual({ mspId: 'HospitalAMSP', role: 'recorder' });
  } finally {
    gateway.close();
  }
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
      expect(await network.deploy()).toBe(changed);
      const after = await Promise.all(CHANNELS.map((channel) => committed(channel.name)));
      expect(after).toEqual(before.map((definition) => ({ sequence: definition.sequence + 1, version: changed })));
      await whoAmIWorks();
    } finally {
      writeFileSync(file, original);
      await network.deploy();
    }
    const restored = await Promise.all(CHANNELS.map((channel) => committed(channel.name)));
    expect(restored).toEqual(before.map((definition) => ({ sequence: definition.sequence + 2, version: environment.chaincodeVersion })));
    await whoAmIWorks();
  });
});
