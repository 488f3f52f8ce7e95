import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  CHAINCODE_NAME,
  ChannelConfigUpdates,
  FabricNetwork,
  HOSPITAL_A,
  HOSPITAL_B,
  type IdentityPaths,
  type NetworkOptions,
  OrgCertificateAuthority,
  type OrgSpec,
  PEER_ORGS,
  REGULATOR,
  ensureBinaries,
  mspDefinition,
  ordererOrgMsps,
  revokeCertificate,
} from '@aal/network';
import { contractRefusal, refusal } from '../support/chaincode-calls';
import { eventually } from '../support/eventually';
import { gatewayFor, gatewayForIdentity } from '../support/gateway';
import { interactionRequest } from '../support/interactions';
import { testNetworkOptions } from '../support/test-network';

/**
 * Ordering run by the members (issue 14): each member org runs one SmartBFT orderer node with an
 * identity from its own CA, and the four tolerate one faulty node. On a BFT network — the global
 * test network when AAL_TEST_ORDERING=bft, otherwise one this file starts at the test port block
 * + 500 — interactions are recorded and read, then one orderer is killed (SIGKILL) and writes go
 * on, then one is cut off (SIGSTOP: its peers' connections stay open and nothing answers, as in a
 * partition that drops its traffic) and writes go on; each node catches up when it is back. Last,
 * a HospitalA user is revoked: the CRL enters HospitalA's MSP in the Application and the Orderer
 * group of hospital-a in one update, and every peer of the channel refuses the user.
 */
const globalOptions = testNetworkOptions();
const ownNetwork = globalOptions.ordering !== 'bft';
const options: NetworkOptions = ownNetwork
  ? { ...globalOptions, dir: `${globalOptions.dir}-bft`, basePort: globalOptions.basePort + 500, ordering: 'bft' }
  : globalOptions;
const network = new FabricNetwork(options);
const layout = network.layout;
const CHANNEL = 'hospital-a';
const run = Date.now().toString(36);
const decoder = new TextDecoder();
/** Time for the remaining nodes to notice a silent leader and agree on the next one (SMART_BFT timeouts ≈ 10–20 s). */
const FAILOVER_MS = 90_000;

const KILLED = layout.memberOrdererIndex(HOSPITAL_A) ?? -1; // the leader of the first view (consenter ID 1)
const PARTITIONED = layout.memberOrdererIndex(HOSPITAL_B) ?? -1; // the next view's leader (ID 2)
const stopped = new Set<number>();

function ordererPid(i: number): number {
  const record = network.supervisor.record(layout.ordererProcess(i));
  if (record === undefined) throw new Error(`no process record for orderer ${i}`);
  return record.pid;
}

let attempt = 0;

/**
 * Records an interaction through `writer`'s peer (its gateway broadcasts to the orderers) and reads
 * it back as the writer's auditor at `reader`'s peer, so the block has reached another org. A fresh
 * id per attempt: a retried write whose first try was ordered after all must not collide with it.
 */
async function recordAndRead(label: string, writer: OrgSpec, reader: OrgSpec): Promise<void> {
  const id = `${writer.mspId}:bft-${run}-${label}-${++attempt}`;
  const writing = gatewayFor(layout, writer, 'recorder');
  const reading = gatewayFor(layout, writer, 'auditor', reader);
  try {
    const contract = writing.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
    await contract.submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(interactionRequest(id)));
    const readContract = reading.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
    // The reader's peer may be pulling blocks from a node that was just cut off (silent, not refusing):
    // it changes source only after its delivery times out, so the block can take that long to arrive
    // (one CI run, 2026-11-30, missed the 30 s default here).
    const stored = await eventually(
      `${reader.name} reads ${id}`,
      async () =>
        JSON.parse(decoder.decode(await readContract.evaluateTransaction(TRANSACTIONS.getInteraction, id))) as unknown,
      undefined,
      FAILOVER_MS,
    );
    expect(stored).toMatchObject({ id, org: writer.mspId, recordedBy: 'app-recorder' });
  } finally {
    writing.close();
    reading.close();
  }
}

async function heights(indexes: readonly number[]): Promise<number[]> {
  return Promise.all(indexes.map((i) => network.ordererHeight(i, CHANNEL)));
}

beforeAll(async () => {
  if (!ownNetwork) return;
  if (existsSync(options.dir)) await network.down({ purge: true });
  try {
    await network.up();
    await network.deploy();
    // Right after start-up a peer's discovery may not yet know the channel's other peers (as in
    // global setup): wait until each writing org's peer can have a write endorsed and ordered.
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      await eventually(`${org.name} can write`, () => recordAndRead('warm-up', org, org), undefined, FAILOVER_MS);
    }
  } catch (error) {
    await network.down();
    throw error;
  }
}, 600_000);

afterAll(async () => {
  // Never leave a frozen or missing orderer behind: a stopped process would hold its ports.
  for (const i of stopped) {
    if (i === PARTITIONED) process.kill(ordererPid(i), 'SIGCONT');
    else await network.startOrderer(i);
  }
  if (ownNetwork) await network.down({ purge: true });
}, 120_000);

describe('BFT ordering run by the members', () => {
  it('runs one orderer per member org, each with an identity from its own CA, on every channel', async () => {
    expect(layout.ordererIndexes().map((i) => layout.ordererOrg(i).mspId)).toEqual(PEER_ORGS.map((org) => org.mspId));
    for (const i of layout.ordererIndexes()) expect(network.supervisor.isRunning(layout.ordererProcess(i))).toBe(true);
    await recordAndRead('all-up', HOSPITAL_A, REGULATOR);
    // HospitalB is not on hospital-a, yet its orderer orders and stores that channel like the others.
    const all = await eventually(
      'every orderer at the same height',
      () => heights(layout.ordererIndexes()),
      (values) => new Set(values).size === 1,
    );
    expect(all[0]).toBeGreaterThan(1);
  });

  it('keeps ordering after one orderer node is killed, and the node catches up after a restart', async () => {
    const others = layout.ordererIndexes().filter((i) => i !== KILLED);
    const before = Math.max(...(await heights(others)));
    stopped.add(KILLED);
    // SIGKILL at once (no grace period), waiting until the process is gone.
    expect(await network.supervisor.stop(layout.ordererProcess(KILLED), 0, 'SIGKILL')).toBe(true);
    expect(network.supervisor.isRunning(layout.ordererProcess(KILLED))).toBe(false);

    // Written through the killed node's own org: its peer's gateway must reach the other three.
    await eventually(
      'a write with one orderer killed',
      () => recordAndRead('killed-0', HOSPITAL_A, AI_PROVIDER),
      undefined,
      FAILOVER_MS,
    );
    for (const n of [1, 2, 3]) await recordAndRead(`killed-${n}`, AI_PROVIDER, REGULATOR);
    const during = await heights(others);
    expect(Math.min(...during)).toBeGreaterThanOrEqual(before + 4);

    await network.startOrderer(KILLED);
    stopped.delete(KILLED);
    await recordAndRead('restarted', HOSPITAL_A, REGULATOR);
    await eventually(
      'the restarted orderer catches up',
      () => heights(layout.ordererIndexes()),
      (values) => new Set(values).size === 1,
      FAILOVER_MS,
    );
  });

  it('keeps ordering while one orderer node is cut off, and the node catches up when it is back', async () => {
    const others = layout.ordererIndexes().filter((i) => i !== PARTITIONED);
    const [cutOffAt] = await heights([PARTITIONED]);
    process.kill(ordererPid(PARTITIONED), 'SIGSTOP');
    stopped.add(PARTITIONED);

    await eventually(
      'a write with one orderer cut off',
      () => recordAndRead('cut-0', REGULATOR, HOSPITAL_A),
      undefined,
      FAILOVER_MS,
    );
    for (const n of [1, 2, 3]) await recordAndRead(`cut-${n}`, HOSPITAL_A, AI_PROVIDER);
    const during = await heights(others);
    expect(Math.min(...during)).toBeGreaterThanOrEqual((cutOffAt ?? 0) + 4);

    process.kill(ordererPid(PARTITIONED), 'SIGCONT');
    stopped.delete(PARTITIONED);
    await recordAndRead('reconnected', AI_PROVIDER, HOSPITAL_A);
    const caughtUp = await eventually(
      'the cut-off orderer catches up',
      () => heights(layout.ordererIndexes()),
      (values) => new Set(values).size === 1,
      FAILOVER_MS,
    );
    expect(caughtUp[PARTITIONED]).toBeGreaterThanOrEqual((cutOffAt ?? 0) + 5);
  });

  it("revokes a HospitalA user: one update puts the CRL into HospitalA's MSP in both groups of hospital-a, and every peer of the channel refuses the user", async () => {
    const binaries = await ensureBinaries();
    const workDir = join(layout.dir, `bft-revocation-${run}`);
    const user: IdentityPaths = {
      name: `bft-revocable-${run}`,
      msp: join(workDir, 'user', 'msp'),
      tls: { cert: join(workDir, 'user', 'tls', 'cert.pem'), key: join(workDir, 'user', 'tls', 'key.pem'), ca: '' },
    };
    mkdirSync(workDir, { recursive: true });
    await new OrgCertificateAuthority(layout, binaries, network.supervisor, HOSPITAL_A).issue(
      { name: user.name, type: 'client', attributes: { role: 'recorder' } },
      user,
      false,
    );
    const submitAs = async (peerOrg: OrgSpec, id: string): Promise<void> => {
      const client = gatewayForIdentity(layout, HOSPITAL_A, user, peerOrg);
      try {
        await client.gateway
          .getNetwork(CHANNEL)
          .getContract(CHAINCODE_NAME)
          .submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(interactionRequest(id)));
      } finally {
        client.close();
      }
    };
    await submitAs(HOSPITAL_A, `HospitalAMSP:bft-rev-before-${run}`);

    const outcome = await revokeCertificate(layout, binaries, network.supervisor, {
      org: HOSPITAL_A,
      user: user.name,
      reason: 'keycompromise',
      proposalDir: join(workDir, 'proposals'),
      signAs: [REGULATOR],
    });
    // hospital-b too: HospitalA's node orders it, so its admins count in that channel's Orderer Admins.
    expect(outcome.channels.map((channel) => channel.channel)).toEqual([CHANNEL, 'hospital-b']);
    expect(outcome.channels.map((channel) => channel.configBlock)).toEqual([expect.any(Number), expect.any(Number)]);
    const updates = new ChannelConfigUpdates(layout, binaries);
    const { config } = await updates.currentConfig(HOSPITAL_A, CHANNEL);
    const crls = mspDefinition(config, CHANNEL, HOSPITAL_A.mspId).revocation_list ?? [];
    expect(crls).toHaveLength(1);
    expect(ordererOrgMsps(config, HOSPITAL_A.mspId).map((msp) => msp.revocation_list)).toEqual([crls]);
    const ordered = await eventually(
      'the config block on the Regulator’s peer',
      () => updates.currentConfig(REGULATOR, 'hospital-b'),
      (current) => current.blockNumber >= (outcome.channels[1]?.configBlock ?? Number.MAX_SAFE_INTEGER),
    );
    expect(ordererOrgMsps(ordered.config, HOSPITAL_A.mspId).map((msp) => msp.revocation_list)).toEqual([crls]);
    expect(ordered.blockNumber).toBe(outcome.channels[1]?.configBlock);

    const recorder = gatewayFor(layout, HOSPITAL_A, 'recorder');
    try {
      for (const peerOrg of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
        // The config block reaches the other orgs' peers a moment after HospitalA's: each try a new id,
        // so a try that came before it (and was recorded) cannot turn the next into a duplicate.
        let tries = 0;
        let id = '';
        const message = await eventually(
          `${peerOrg.name}'s peer refuses the revoked certificate`,
          () => {
            id = `HospitalAMSP:bft-rev-after-${peerOrg.slug}-${run}-${(tries += 1)}`;
            return refusal(submitAs(peerOrg, id));
          },
          (refused) => /access denied/.test(refused),
        );
        expect({ peer: peerOrg.name, message }).toEqual({
          peer: peerOrg.name,
          message: expect.stringMatching(/access denied/) as unknown,
        });
        // The refused write recorded nothing.
        const contract = recorder.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
        expect((await contractRefusal(contract.evaluateTransaction(TRANSACTIONS.getInteraction, id)))?.code).toBe(
          'NOT_FOUND',
        );
      }
    } finally {
      recorder.close();
    }
    // HospitalA's other users go on, through every orderer of the channel.
    await recordAndRead('after-revocation', HOSPITAL_A, REGULATOR);
  }, 300_000);
});
