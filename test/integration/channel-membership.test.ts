import type { Contract } from '@hyperledger/fabric-gateway';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { ApiKeyStore } from '@aal/application';
import {
  AI_PROVIDER,
  CHAINCODE_NAME,
  ChannelConfigUpdates,
  HOSPITAL_A,
  HOSPITAL_B,
  NetworkLayout,
  REGULATOR,
  ensureBinaries,
  memberMspIds,
  type OrgSpec,
} from '@aal/network';
import { refusal, submitTransaction } from '../support/chaincode-calls';
import { artifactRecord } from '../support/deviating-member';
import { eventually } from '../support/eventually';
import { startExtraApp, waitUntilReady, type ExtraApp } from '../support/extra-app';
import { extraPort } from '../support/extra-ports';
import { testGateway, type TestGateway } from '../support/gateway';
import { indexRead } from '../support/index-read';
import {
  interactionRequest,
  interactionsPath,
  postInteraction,
  type RecordedInteraction,
} from '../support/interactions';
import { orgCli as runOrgCli, orgCliWithin, type OrgCliRun } from '../support/org-cli';
import { testNetworkOptions } from '../support/test-network';

/*
 * Members join and leave a channel (issue 14), with Fabric's own mechanism: HospitalB, a member of
 * the consortium but not of hospital-a, hands over its exported definition; HospitalA proposes
 * adding it, a majority of hospital-a's admins sign, the update is submitted, HospitalB's peer joins
 * from the ordering service and HospitalB approves the committed chaincode definition; HospitalB then
 * records and reads on hospital-a through its own peer. Then the members remove it again and its
 * identities are refused. The file leaves hospital-a's membership as it found it.
 */

const CHANNEL = 'hospital-a';
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const run = randomBytes(4).toString('hex');
const workDir = join(layout.dir, `membership-test-${run}`);
const definitionFile = join(workDir, 'hospital-b.definition.json');
const orgCli = (...args: string[]): OrgCliRun => runOrgCli(options, ...args);
const gateways: TestGateway[] = [];
let updates: ChannelConfigUpdates;
/** HospitalB's gateway profile as the network wrote it: `join` adds hospital-a to it, afterAll puts it back. */
let hospitalBProfile = '';
let memberApp: ExtraApp | undefined;

function contractAs(identityOrg: OrgSpec, peerOrg: OrgSpec): Contract {
  const client = testGateway(identityOrg, 'recorder', peerOrg);
  gateways.push(client);
  return client.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
}
const members = async (org: OrgSpec = HOSPITAL_A): Promise<string[]> =>
  memberMspIds((await updates.currentConfig(org, CHANNEL)).config);

/** Waits until `org`'s peer has config block `block` of hospital-a (each peer commits it a little apart). */
async function configReached(org: OrgSpec, block: number): Promise<void> {
  await eventually(
    `${org.name}'s peer has config block ${block}`,
    async () => (await updates.currentConfig(org, CHANNEL)).blockNumber,
    (number) => number >= block,
  );
}

/** The config block a `submit` run reported. */
function submittedBlock(run: OrgCliRun): number {
  const match = /submitted: config block (\d+)/.exec(run.stdout);
  if (match === null) throw new Error(`no config block in: ${run.stdout}${run.stderr}`);
  return Number(match[1]);
}
/** `propose-add` as HospitalA's admin of the org defined in `definition` to `channel`; `extra` adds flags. */
const proposeAdd = (channel: string, definition: string, ...extra: string[]): OrgCliRun =>
  orgCli('propose-add', '--org', 'hospital-a', '--channel', channel, '--definition', definition, ...extra);
const artifact = (id: string): string => JSON.stringify(artifactRecord(id, 'model'));

beforeAll(async () => {
  updates = new ChannelConfigUpdates(layout, await ensureBinaries());
  mkdirSync(workDir, { recursive: true });
  hospitalBProfile = readFileSync(layout.gatewayProfile(HOSPITAL_B), 'utf8');
});

afterAll(async () => {
  for (const client of gateways) client.close();
  await memberApp?.stop();
  writeFileSync(layout.gatewayProfile(HOSPITAL_B), hospitalBProfile);
  // Whatever failed above, hospital-a ends without HospitalB, as the other files expect it.
  if ((await members()).includes(HOSPITAL_B.mspId)) {
    const file = join(workDir, 'cleanup.pb');
    await updates.proposeRemoveMember(HOSPITAL_A, CHANNEL, HOSPITAL_B.mspId, file);
    for (const org of [AI_PROVIDER, REGULATOR]) await updates.sign(org, file);
    await updates.submit(HOSPITAL_A, file);
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('adding a member to a channel and removing it', () => {
  let addition = '';

  it('HospitalB exports its definition; it cannot join hospital-a before an update adds it', () => {
    expect(orgCli('export', '--org', 'hospital-b', '--out', definitionFile).status).toBe(0);
    const early = orgCliWithin(options, 120_000, 'join', '--org', 'hospital-b', '--channel', CHANNEL);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('NOT_A_MEMBER');
    expect(early.stderr).toContain('HospitalB is not a member of it (yet)');
  });

  it('a tampered definition, an unknown channel or a member already there is a clear refusal and proposes nothing', async () => {
    const definition = JSON.parse(readFileSync(definitionFile, 'utf8')) as Record<string, unknown>;
    const tampered = join(workDir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify({ ...definition, name: 'HospitalC' }));
    const refusedTampered = proposeAdd(CHANNEL, tampered);
    expect(refusedTampered.status).toBe(1);
    expect(refusedTampered.stderr).toContain('org definition: digest');

    const withKey = join(workDir, 'with-key.json');
    writeFileSync(withKey, JSON.stringify({ ...definition, note: '-----BEGIN PRIVATE KEY-----' }));
    const refusedKey = proposeAdd(CHANNEL, withKey);
    expect(refusedKey.status).toBe(1);
    expect(refusedKey.stderr).toContain('holds a private key');

    const existing = join(workDir, 'regulator.definition.json');
    expect(orgCli('export', '--org', 'regulator', '--out', existing).status).toBe(0);
    const refusedMember = proposeAdd(CHANNEL, existing);
    expect(refusedMember.status).toBe(1);
    expect(refusedMember.stderr).toContain('Regulator (RegulatorMSP) is already a member of channel hospital-a');

    const refusedChannel = proposeAdd('no-such-channel', definitionFile);
    expect(refusedChannel.status).toBe(1);
    expect(await members()).toEqual(['AIProviderMSP', 'HospitalAMSP', 'RegulatorMSP']);
  });

  it("HospitalA proposes the addition; HospitalA's signature alone is refused, naming the policy and the signers", async () => {
    addition = join(workDir, 'add-hospital-b.pb');
    const proposed = proposeAdd(CHANNEL, definitionFile, '--out', addition);
    expect(proposed.status).toBe(0);
    expect(proposed.stdout).toContain('HospitalB (HospitalBMSP)');

    const inspected = orgCli('inspect', '--org', 'regulator', '--proposal', addition);
    expect(inspected.status).toBe(0);
    expect(inspected.stdout).toContain(`adds to channel ${CHANNEL}, proposed by HospitalAMSP`);
    expect(inspected.stdout).toContain('1 of the 2 needed');

    const refused = orgCli('submit', '--org', 'hospital-a', '--proposal', addition);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('POLICY_NOT_MET');
    expect(refused.stderr).toContain('HospitalAMSP');
    expect(await members()).toEqual(['AIProviderMSP', 'HospitalAMSP', 'RegulatorMSP']);
  });

  it('signed by a majority of the admins, the update commits and HospitalB is a member', async () => {
    const signed = orgCli('sign', '--org', 'ai-provider', '--proposal', addition);
    expect(signed.status).toBe(0);
    // The signer is shown whom it admits: the fingerprints it must have confirmed with the org.
    expect(signed.stdout).toContain('signing the addition of:');
    expect(signed.stdout).toContain('root certificate SHA-256');
    const submitted = orgCli('submit', '--org', 'hospital-a', '--proposal', addition);
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toMatch(/submitted: config block \d+, signed by AIProviderMSP, HospitalAMSP/);
    expect(await members()).toEqual(['AIProviderMSP', 'HospitalAMSP', 'HospitalBMSP', 'RegulatorMSP']);

    // The same proposal again is stale: the channel's config has moved on (on the sender's peer too).
    await configReached(REGULATOR, submittedBlock(submitted));
    const again = orgCli('submit', '--org', 'regulator', '--proposal', addition);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('STALE_UPDATE');
  });

  it('HospitalB joins: its peer catches up, it approves the chaincode, and records and reads through its own peer', async () => {
    // Beyond the command's own catch-up limit (600 s), so that a stuck join reports itself.
    const joined = orgCliWithin(options, 660_000, 'join', '--org', 'hospital-b', '--channel', CHANNEL);
    expect(joined.stderr).not.toContain('✖');
    expect(joined.status).toBe(0);
    expect(joined.stdout).toMatch(
      /HospitalB's peer joined hospital-a \(height \d+\); chaincode definition sequence \d+ .* approved for HospitalB/,
    );
    // Idempotent: a second join changes nothing.
    const rejoined = orgCliWithin(options, 120_000, 'join', '--org', 'hospital-b', '--channel', CHANNEL);
    expect(rejoined.status).toBe(0);
    expect(rejoined.stdout).toContain("HospitalB's peer was already on hospital-a");
    expect(joined.stdout).toContain("HospitalB's app serves hospital-a from its next start");
    expect(rejoined.stdout).toContain(
      `HospitalB's gateway profile ${layout.gatewayProfile(HOSPITAL_B)} lists hospital-a already`,
    );

    const ownPeer = contractAs(HOSPITAL_B, HOSPITAL_B);
    // The first write may meet a peer that has just approved and not yet launched the chaincode: a
    // refused attempt wrote nothing, and the next one uses a new id.
    let attempt = 0;
    const id = await eventually(
      'a HospitalB write on hospital-a through its own peer',
      async () => {
        const next = `HospitalBMSP:member-${run}-${(attempt += 1)}`;
        await submitTransaction(ownPeer, TRANSACTIONS.registerArtifact, { arguments: [artifact(next)] });
        return next;
      },
      () => true,
      60_000,
    );
    const stored = JSON.parse(
      new TextDecoder().decode(await ownPeer.evaluateTransaction(TRANSACTIONS.getArtifact, id)),
    ) as { id: string; registeredBy: string };
    expect(stored).toMatchObject({ id, registeredBy: 'HospitalBMSP' });
    // The other members' peers hold it too: HospitalA reads it through its own peer.
    const seenByHospitalA = await eventually(
      'HospitalB’s record on HospitalA’s peer',
      async () =>
        JSON.parse(
          new TextDecoder().decode(
            await contractAs(HOSPITAL_A, HOSPITAL_A).evaluateTransaction(TRANSACTIONS.getArtifact, id),
          ),
        ) as { registeredBy: string },
    );
    expect(seenByHospitalA.registeredBy).toBe('HospitalBMSP');
  }, 700_000);

  it("join lists hospital-a in HospitalB's gateway profile: HospitalB's app, started on it, records, reads and counts on hospital-a", async () => {
    const profile = JSON.parse(readFileSync(layout.gatewayProfile(HOSPITAL_B), 'utf8')) as { channels: string[] };
    expect(profile.channels).toEqual([...(JSON.parse(hospitalBProfile) as { channels: string[] }).channels, CHANNEL]);
    // An app of HospitalB's own beside the network's (which keeps the channels it was started with),
    // with its own keys, auditor-read log and audit index.
    const store = new ApiKeyStore(join(workDir, 'member-app-keys.json'));
    const recorder = { authorization: `Bearer ${store.create('member-recorder', 'recorder').key}` };
    const admin = { authorization: `Bearer ${store.create('member-admin', 'admin').key}` };
    memberApp = await startExtraApp(extraPort(options.basePort, 'joinedChannelApp'), {
      AAL_GATEWAY_PROFILE: layout.gatewayProfile(HOSPITAL_B),
      AAL_API_KEY_STORE: store.path,
      AAL_AUDITOR_READ_LOG: join(workDir, 'member-app-reads.jsonl'),
      AAL_AUDIT_INDEX_PATH: join(workDir, 'member-app-index.sqlite'),
    });
    await waitUntilReady(memberApp, 120_000);

    const applicationId = `member-app-${run}`;
    const written = await postInteraction(
      memberApp.url,
      CHANNEL,
      recorder,
      interactionRequest(`${applicationId}-1`, { applicationId }),
    );
    expect(written.status).toBe(201);
    const { interaction, blockNumber } = (await written.json()) as RecordedInteraction & { blockNumber: string };
    expect(interaction).toMatchObject({ id: `HospitalBMSP:${applicationId}-1`, org: 'HospitalBMSP' });
    const read = await fetch(`${memberApp.url}${interactionsPath(CHANNEL, interaction.id)}`, { headers: admin });
    expect(read.status).toBe(200);
    expect(((await read.json()) as RecordedInteraction).interaction).toEqual(interaction);
    // Its audit index follows hospital-a from block 0 and counts the record.
    const usage = await indexRead(() =>
      fetch(
        `${memberApp?.url ?? ''}/api/v1/channels/${CHANNEL}/audit/usage?groupBy=model&by=applicationId&value=${applicationId}&minBlock=${blockNumber}`,
        { headers: admin },
      ),
    );
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ records: 1, totals: { calls: 1 } });
    await memberApp.stop();
    memberApp = undefined;
  }, 300_000);

  it('removed by a majority, HospitalB is refused on hospital-a; a proposal computed before the removal is stale', async () => {
    const removal = join(workDir, 'remove-hospital-b.pb');
    const late = join(workDir, 'late.pb');
    expect(
      orgCli(
        'propose-remove',
        '--org',
        'hospital-a',
        '--channel',
        CHANNEL,
        '--member',
        'HospitalBMSP',
        '--out',
        removal,
      ).status,
    ).toBe(0);
    expect(
      orgCli('propose-remove', '--org', 'regulator', '--channel', CHANNEL, '--member', 'HospitalBMSP', '--out', late)
        .status,
    ).toBe(0);
    // Four members now: three admins make the majority.
    const short = orgCli('submit', '--org', 'regulator', '--proposal', removal);
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('POLICY_NOT_MET');
    expect(orgCli('sign', '--org', 'ai-provider', '--proposal', removal).status).toBe(0);
    const removed = orgCli('submit', '--org', 'regulator', '--proposal', removal);
    expect(removed.status).toBe(0);
    await configReached(HOSPITAL_A, submittedBlock(removed));
    expect(await members()).toEqual(['AIProviderMSP', 'HospitalAMSP', 'RegulatorMSP']);

    const stale = orgCli('sign', '--org', 'hospital-a', '--proposal', late);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('STALE_UPDATE');

    // HospitalA's peer no longer knows HospitalB's identities on hospital-a.
    const message = await refusal(
      submitTransaction(contractAs(HOSPITAL_B, HOSPITAL_A), TRANSACTIONS.registerArtifact, {
        arguments: [artifact(`HospitalBMSP:after-removal-${run}`)],
      }),
    );
    expect(message).toMatch(/access denied|creator|unknown|not authorized|MSP/i);
    const again = orgCli('propose-remove', '--org', 'hospital-a', '--channel', CHANNEL, '--member', 'HospitalBMSP');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('HospitalBMSP is not a member of channel hospital-a');
  });
});
