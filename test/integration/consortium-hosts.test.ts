import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { parseRecordProof, RecordProofError, verifyRecordProof } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  CHAINCODE_DIR,
  chaincodeVersion,
  Configtxlator,
  ensureBinaries,
  FabricNetwork,
  HOSPITAL_A,
  HOSPITAL_B,
  issueApiKeys,
  joiningOrg,
  NetworkLayout,
  PEER_ORGS,
  REGULATOR,
  verifyOrgDefinition,
  type NetworkOptions,
  type OrgSpec,
} from '@aal/network';
import { eventually } from '../support/eventually';
import { interactionRequest } from '../support/interactions';
import {
  createNamespaceBridge,
  fetchInNamespace,
  removeNamespaceBridge,
  type NamespaceAnswer,
  type NamespaceBridge,
} from '../support/network-namespaces';
import { orgCliInNamespace, type OrgCliRun } from '../support/org-cli';
import { testNetworkOptions } from '../support/test-network';

/**
 * The consortium across hosts (issue 14): each member in its own network namespace with its own
 * address, and its own directory — nothing of another org's but what that org exported. The members
 * init and export on their own hosts, exchange only public files through a hand-over folder, found
 * the channels from the definitions (each member's own SmartBFT orderer node), start their own
 * nodes, approve and commit the chaincode by majority, and record, read and prove interactions
 * across the namespaces.
 */
const global = testNetworkOptions();
const base = `${global.dir}-hosts`;
const handOver = join(base, 'hand-over');
// Derived from the test network's base port, so two test runs on one machine use separate namespaces.
const SLOT = Math.floor(global.basePort / 100) % 250;
const PREFIX = `a${SLOT}h`;
const SUBNET = `10.213.${SLOT}`;
const slugs = PEER_ORGS.map((org) => org.slug);
/** A new member after the founding: on a host of its own, known to the founders only from its exported definition. */
const HOSPITAL_C: OrgSpec = joiningOrg('hospital-c', { name: 'HospitalC', mspId: 'HospitalCMSP' });
const ALL_ORGS = [...PEER_ORGS, HOSPITAL_C];
let bridge: NamespaceBridge;
const options = new Map<string, NetworkOptions>();

/** The path to a channel's Application `Admins` policy rule in a decoded config. */
interface AdminsPolicyPath {
  channel_group: { groups: { Application: { policies: { Admins: { policy: { value: { rule: string } } } } } } };
}

let hospitalUrl = '';
let hospitalKeys: Record<string, string> = {};
let regulatorUrl = '';
let regulatorAuditorKey = '';
let hospitalCUrl = '';
let hospitalCKeys: Record<string, string> = {};

/** HospitalC's recorder writes one interaction on hospital-a through its own app (retrying while it answers 503). */
function writeAsHospitalC(id: string): Promise<NamespaceAnswer> {
  let last: NamespaceAnswer | undefined;
  return eventually(
    'HospitalC’s write answered',
    () =>
      fetchInNamespace(namespaceOf(HOSPITAL_C), `${hospitalCUrl}/api/v1/channels/hospital-a/interactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hospitalCKeys.recorder ?? ''}` },
        body: { ...interactionRequest(id), applicationId: 'hosts-suite' },
      }).then((answer) => (last = answer)),
    (answer) => answer.status !== 503,
    60_000,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}; last answer ${JSON.stringify(last)}`);
  });
}

const optionsOf = (org: OrgSpec): NetworkOptions => {
  const found = options.get(org.slug);
  if (found === undefined) throw new Error(`no options for ${org.slug}`);
  return found;
};
const namespaceOf = (org: OrgSpec): string => bridge.hosts[org.slug]?.namespace ?? '';

/** `npm run org -- <args>` as `org`'s operator on `org`'s host. */
function asMember(org: OrgSpec, timeoutMs: number, ...args: string[]): Promise<OrgCliRun> {
  return orgCliInNamespace(namespaceOf(org), optionsOf(org), timeoutMs, ...args);
}

function expectSucceeded(run: OrgCliRun): void {
  if (run.status !== 0) throw new Error(`exit ${run.status}\n${run.stdout}\n${run.stderr}`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return [];
    return stat.isDirectory() ? filesUnder(path) : stat.isFile() ? [path] : [];
  });
}

beforeAll(() => {
  rmSync(base, { recursive: true, force: true });
  mkdirSync(handOver, { recursive: true });
  bridge = createNamespaceBridge(
    PREFIX,
    SUBNET,
    ALL_ORGS.map((org) => org.slug),
  );
  // The founders' AAL_ORG_HOSTS name the founders; the new member's names itself too.
  const hosts = Object.fromEntries(slugs.map((slug) => [slug, bridge.hosts[slug]?.address ?? '']));
  const memberOptions = (org: OrgSpec, orgHosts: Record<string, string>): NetworkOptions => ({
    dir: join(base, org.slug),
    basePort: global.basePort + 800,
    orderers: 3,
    ordering: 'bft',
    purgeIntervalBlocks: 1,
    hosts: orgHosts,
    member: org.slug,
  });
  for (const org of PEER_ORGS) options.set(org.slug, memberOptions(org, hosts));
  options.set(HOSPITAL_C.slug, {
    ...memberOptions(HOSPITAL_C, { ...hosts, [HOSPITAL_C.slug]: bridge.hosts[HOSPITAL_C.slug]?.address ?? '' }),
    joiningOrg: { name: HOSPITAL_C.name, mspId: HOSPITAL_C.mspId },
  });
});

afterAll(async () => {
  for (const org of ALL_ORGS) {
    const memberOptions = options.get(org.slug);
    if (memberOptions !== undefined && existsSync(memberOptions.dir))
      await new FabricNetwork(memberOptions).down({ purge: true }).catch((error: unknown) => {
        console.error(`stopping ${org.name}: ${String(error)}`);
      });
  }
  removeNamespaceBridge(
    PREFIX,
    ALL_ORGS.map((org) => org.slug),
  );
  rmSync(base, { recursive: true, force: true });
}, 180_000);

describe('a consortium of members on their own hosts (network namespaces)', () => {
  it('each member inits and exports on its own host; definitions name its address and its orderer node', async () => {
    const inits = await Promise.all(PEER_ORGS.map((org) => asMember(org, 300_000, 'init', '--org', org.slug)));
    inits.forEach(expectSucceeded);
    for (const org of PEER_ORGS) {
      const out = join(handOver, `${org.slug}.definition.json`);
      expectSucceeded(await asMember(org, 60_000, 'export', '--org', org.slug, '--out', out));
      const definition = verifyOrgDefinition(readFileSync(out, 'utf8'));
      const address = bridge.hosts[org.slug]?.address;
      expect(definition.anchorPeers.map((peer) => peer.host)).toEqual([address]);
      expect(definition.ordererNode?.endpoint.host).toBe(address);
    }
    // Each member's directory holds its own org's material only.
    for (const org of PEER_ORGS) expect(readdirSync(join(optionsOf(org).dir, 'orgs'))).toEqual([org.slug]);
  }, 600_000);

  it('refuses to found the channels without every member’s definition, writing no block', async () => {
    const partial = join(base, 'partial-hand-over');
    mkdirSync(partial, { recursive: true });
    for (const org of PEER_ORGS.filter((candidate) => candidate.slug !== 'regulator'))
      writeFileSync(
        join(partial, `${org.slug}.definition.json`),
        readFileSync(join(handOver, `${org.slug}.definition.json`)),
      );
    const refused = await asMember(HOSPITAL_A, 120_000, 'found', '--org', HOSPITAL_A.slug, '--hand-over', partial);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('missing: Regulator');
    expect(readdirSync(partial).filter((name) => name.endsWith('.block'))).toEqual([]);
  }, 180_000);

  it('one member founds the channels; each checks the blocks, starts its own nodes and joins', async () => {
    const founded = await asMember(HOSPITAL_A, 300_000, 'found', '--org', HOSPITAL_A.slug, '--hand-over', handOver);
    expectSucceeded(founded);
    expect(founded.stdout).toMatch(/hospital-a: genesis block .* sha256:[0-9a-f]{64}/);
    // A hand-over whose hospital-b block is another channel's is refused by HospitalB, which takes no block and starts nothing.
    const forged = join(base, 'forged-hand-over');
    mkdirSync(forged, { recursive: true });
    for (const name of readdirSync(handOver)) copyFileSync(join(handOver, name), join(forged, name));
    copyFileSync(join(handOver, 'hospital-a.block'), join(forged, 'hospital-b.block'));
    const refused = await asMember(HOSPITAL_B, 300_000, 'up', '--org', HOSPITAL_B.slug, '--hand-over', forged);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("of hospital-b: is the block of channel 'hospital-a'");
    expect(existsSync(join(optionsOf(HOSPITAL_B).dir, 'channels'))).toBe(false);
    // A founder's block that names HospitalB as it is but lowers the channel's admin policy to ANY is refused too.
    const translator = new Configtxlator(await ensureBinaries());
    const block = (await translator.decode('common.Block', readFileSync(join(handOver, 'hospital-b.block')))) as {
      data: { data: { payload: { data: { config: AdminsPolicyPath } } }[] };
    };
    const config = block.data.data[0]?.payload.data.config;
    if (config === undefined) throw new Error('the genesis block holds no config');
    expect(config.channel_group.groups.Application.policies.Admins.policy.value.rule).toBe('MAJORITY');
    config.channel_group.groups.Application.policies.Admins.policy.value.rule = 'ANY';
    writeFileSync(join(forged, 'hospital-b.block'), await translator.encode('common.Block', block));
    const lowered = await asMember(HOSPITAL_B, 300_000, 'up', '--org', HOSPITAL_B.slug, '--hand-over', forged);
    expect(lowered.status).toBe(1);
    expect(lowered.stderr).toContain(
      'its configuration differs, at config.channel_group.groups.Application.policies.Admins.policy.value.rule,',
    );
    expect(existsSync(join(optionsOf(HOSPITAL_B).dir, 'channels'))).toBe(false);
    // The honest config transaction with a second transaction beside it is refused: nothing in a genesis block goes unchecked.
    const honest = (await translator.decode('common.Block', readFileSync(join(handOver, 'hospital-b.block')))) as {
      data: { data: unknown[] };
    };
    honest.data.data = [honest.data.data[0], honest.data.data[0]];
    writeFileSync(join(forged, 'hospital-b.block'), await translator.encode('common.Block', honest));
    const doubled = await asMember(HOSPITAL_B, 300_000, 'up', '--org', HOSPITAL_B.slug, '--hand-over', forged);
    expect(doubled.status).toBe(1);
    expect(doubled.stderr).toContain('holds 2 transactions; a genesis block holds its config transaction alone');
    expect(existsSync(join(optionsOf(HOSPITAL_B).dir, 'channels'))).toBe(false);
    const hospitalB = new FabricNetwork(optionsOf(HOSPITAL_B));
    expect(
      hospitalB
        .status()
        .filter((p) => p.running)
        .map((p) => p.name),
    ).toEqual([`ca.${HOSPITAL_B.slug}`]);

    const ups = await Promise.all(
      PEER_ORGS.map((org) => asMember(org, 600_000, 'up', '--org', org.slug, '--hand-over', handOver)),
    );
    ups.forEach(expectSucceeded);
    // Every member saw the same blocks.
    const digests = ups.map((run) => [...run.stdout.matchAll(/genesis block (sha256:[0-9a-f]{64})/g)].map((m) => m[1]));
    for (const seen of digests) expect(seen).toEqual(digests[0]);
    // Each member's processes run in its own namespace, and listen on its own address.
    for (const org of PEER_ORGS) {
      const pids = new Set(
        execFileSync('ip', ['netns', 'pids', namespaceOf(org)], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean),
      );
      const running = new FabricNetwork(optionsOf(org)).status().filter((p) => p.running);
      expect(running.map((p) => p.name).sort()).toEqual(
        [`ca.${org.slug}`, `orderer0.${org.slug}`, `peer0.${org.slug}`].sort(),
      );
      for (const process of running) expect(pids.has(String(process.pid))).toBe(true);
    }
  }, 900_000);

  it('the members deploy the chaincode: each approves, the majority’s last commits', async () => {
    const deploys = await Promise.all(PEER_ORGS.map((org) => asMember(org, 600_000, 'deploy', '--org', org.slug)));
    deploys.forEach(expectSucceeded);
    const again = await asMember(HOSPITAL_A, 300_000, 'deploy', '--org', HOSPITAL_A.slug);
    expectSucceeded(again);
    expect(again.stdout).toMatch(/hospital-a: chaincode [0-9a-f]{16} committed \(sequence 1\)/);
  }, 900_000);

  it('records on one member’s app, reads it on another’s host, and proves it against the batch root', async () => {
    const apps = await Promise.all(
      [HOSPITAL_A, REGULATOR].map((org) => asMember(org, 600_000, 'app', '--org', org.slug)),
    );
    apps.forEach(expectSucceeded);
    const [hospitalAppUrl = '', regulatorAppUrl = ''] = apps.map(
      (run) => /app: (http:\/\/\S+)/.exec(run.stdout)?.[1] ?? '',
    );
    hospitalUrl = hospitalAppUrl;
    regulatorUrl = regulatorAppUrl;
    // The apps listen on their own host's loopback: the org's clients (here, in its namespace) reach them there.
    expect(hospitalUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const keysOf = (org: OrgSpec): Record<string, string> =>
      issueApiKeys(new NetworkLayout(optionsOf(org)), org, 'hosts');
    hospitalKeys = keysOf(HOSPITAL_A);
    const regulatorKeys = keysOf(REGULATOR);
    regulatorAuditorKey = regulatorKeys.auditor ?? '';
    const id = `hosts-${Date.now()}`;
    const record = { ...interactionRequest(id), applicationId: 'hosts-suite' };
    // Until the peers' gossip has found each other (seconds after the joins), the gateway can select no
    // endorsers and the app answers 503 with Retry-After: a client retries with the same ids, as here.
    const batch = await eventually(
      'the batch recorded',
      () =>
        fetchInNamespace(namespaceOf(HOSPITAL_A), `${hospitalUrl}/api/v1/channels/hospital-a/batches`, {
          method: 'POST',
          headers: { authorization: `Bearer ${hospitalKeys.recorder ?? ''}` },
          body: { records: [record] },
        }),
      (answer) => answer.status !== 503,
      60_000,
    );
    expect(batch).toMatchObject({ status: 201 });
    const recorded = batch.body as { batchId: string; root: string; size: number };

    // Another member's app, on another host, serves it from its own peer and audit index.
    const qualified = encodeURIComponent(`HospitalAMSP:${id}`);
    const regulatorChannel = `${regulatorUrl}/api/v1/channels/hospital-a`;
    const asRegulatorAuditor = { headers: { authorization: `Bearer ${regulatorKeys.auditor ?? ''}` } };
    let last: NamespaceAnswer | undefined;
    const read = await eventually(
      'the record on the Regulator’s app',
      async () =>
        (last = await fetchInNamespace(
          namespaceOf(REGULATOR),
          `${regulatorChannel}/interactions/${qualified}`,
          asRegulatorAuditor,
        )),
      (answer) => answer.status === 200,
      60_000,
    ).catch((error: unknown) => {
      const log = readFileSync(join(optionsOf(REGULATOR).dir, 'logs', 'app.regulator.log'), 'utf8');
      throw new Error(
        `${String(error)}; last answer ${JSON.stringify(last)}; app log:\n${log.split('\n').slice(-15).join('\n')}`,
      );
    });
    expect((read.body as { interaction: { org: string } }).interaction.org).toBe('HospitalAMSP');
    const proofAnswer = await fetchInNamespace(
      namespaceOf(REGULATOR),
      `${regulatorChannel}/batched-interactions/${qualified}/proof`,
      asRegulatorAuditor,
    );
    expect(proofAnswer.status).toBe(200);
    const proof = parseRecordProof(proofAnswer.body);
    const ledgerBatch = { txId: recorded.batchId, root: recorded.root, size: recorded.size };
    expect(() => verifyRecordProof(proof.record, proof, ledgerBatch)).not.toThrow();
    expect(() => verifyRecordProof({ ...(proof.record as object), latencyMs: 1 }, proof, ledgerBatch)).toThrow(
      RecordProofError,
    );
  }, 900_000);

  it('onboards a new member, HospitalC, to hospital-a by a majority of the admins; it joins from its own host and records', async () => {
    // HospitalC is no founding org: its operator names it, on a host of its own.
    const unnamed = await asMember(HOSPITAL_C, 60_000, 'init', '--org', HOSPITAL_C.slug);
    expect(unnamed.status).toBe(2);
    expect(unnamed.stderr).toContain('--name <Name> --msp-id');
    expectSucceeded(
      await asMember(
        HOSPITAL_C,
        300_000,
        'init',
        '--org',
        HOSPITAL_C.slug,
        '--name',
        HOSPITAL_C.name,
        '--msp-id',
        HOSPITAL_C.mspId,
      ),
    );
    const definition = join(handOver, `${HOSPITAL_C.slug}.definition.json`);
    expectSucceeded(await asMember(HOSPITAL_C, 60_000, 'export', '--org', HOSPITAL_C.slug, '--out', definition));
    const exported = verifyOrgDefinition(readFileSync(definition, 'utf8'));
    expect(exported).toMatchObject({ name: 'HospitalC', mspId: 'HospitalCMSP' });
    expect(exported.anchorPeers.map((peer) => peer.host)).toEqual([bridge.hosts[HOSPITAL_C.slug]?.address]);
    // Its CA and peer start on no channel, with the founders' definitions (to reach their orderer nodes).
    const up = await asMember(HOSPITAL_C, 300_000, 'up', '--org', HOSPITAL_C.slug, '--hand-over', handOver);
    expectSucceeded(up);
    const imported = /imported the definitions of (.*)/.exec(up.stdout)?.[1]?.split(', ') ?? [];
    expect(imported.sort()).toEqual(PEER_ORGS.map((org) => org.name).sort());

    const addition = join(handOver, 'hospital-a-add-hospital-c.pb');
    expectSucceeded(
      await asMember(
        HOSPITAL_A,
        120_000,
        'propose-add',
        '--org',
        HOSPITAL_A.slug,
        '--channel',
        'hospital-a',
        '--definition',
        definition,
        '--out',
        addition,
      ),
    );
    const alone = await asMember(HOSPITAL_A, 120_000, 'submit', '--org', HOSPITAL_A.slug, '--proposal', addition);
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain('POLICY_NOT_MET');
    const early = await asMember(HOSPITAL_C, 120_000, 'join', '--org', HOSPITAL_C.slug, '--channel', 'hospital-a');
    expect(early.status).toBe(1);
    expect(early.stderr).toContain('NOT_A_MEMBER');
    expectSucceeded(await asMember(REGULATOR, 120_000, 'sign', '--org', REGULATOR.slug, '--proposal', addition));
    // Two of hospital-a's three members suffice for its Application group, but the update also makes
    // HospitalC's node a consenter: the Orderer group's four orgs need a majority of their admins too.
    const ordererShort = await asMember(
      HOSPITAL_A,
      120_000,
      'submit',
      '--org',
      HOSPITAL_A.slug,
      '--proposal',
      addition,
    );
    expect(ordererShort.status).toBe(1);
    expect(ordererShort.stderr).toContain('POLICY_NOT_MET');
    expect(ordererShort.stderr).toContain('/Channel/Orderer/Admins (MAJORITY Admins) needs the admins of 3 of 4 orgs');
    const inspected = await asMember(HOSPITAL_A, 120_000, 'inspect', '--org', HOSPITAL_A.slug, '--proposal', addition);
    expectSucceeded(inspected);
    expect(inspected.stdout).toContain('2 of the 2 needed (/Channel/Application/Admins (MAJORITY Admins))');
    expect(inspected.stdout).toContain('2 of the 3 needed (/Channel/Orderer/Admins (MAJORITY Admins))');
    expect(inspected.stdout).toMatch(
      /ordering: adds HospitalCMSP's node [\d.]+:\d+ \(consenter 5\): 4 → 5 consenters, 3 → 4 sign each block/,
    );
    expect(inspected.stdout).toMatch(/orderer node [\d.]+:\d+: identity SHA-256 [0-9A-F:]+, TLS SHA-256/);
    expectSucceeded(await asMember(AI_PROVIDER, 120_000, 'sign', '--org', AI_PROVIDER.slug, '--proposal', addition));
    const submitted = await asMember(HOSPITAL_A, 120_000, 'submit', '--org', HOSPITAL_A.slug, '--proposal', addition);
    expectSucceeded(submitted);
    expect(submitted.stdout).toMatch(/signed by AIProviderMSP, HospitalAMSP, RegulatorMSP/);

    // The join approves the committed definition and starts HospitalC's chaincode server.
    const joined = await asMember(HOSPITAL_C, 600_000, 'join', '--org', HOSPITAL_C.slug, '--channel', 'hospital-a');
    expectSucceeded(joined);
    expect(joined.stdout).toContain("HospitalC's peer joined hospital-a");
    expect(joined.stdout).toMatch(/chaincode definition sequence 1 \([0-9a-f]{16}\) approved for HospitalC/);
    // Its own orderer node joined the channel as its fifth consenter.
    expect(joined.stdout).toMatch(/HospitalC's orderer node joined hospital-a as a consenter \(height \d+\)/);
    const app = await asMember(HOSPITAL_C, 600_000, 'app', '--org', HOSPITAL_C.slug);
    expectSucceeded(app);
    hospitalCUrl = /app: (http:\/\/\S+)/.exec(app.stdout)?.[1] ?? '';
    hospitalCKeys = issueApiKeys(new NetworkLayout(optionsOf(HOSPITAL_C)), HOSPITAL_C, 'hosts');
    const id = `hosts-c-${Date.now()}`;
    const written = await writeAsHospitalC(id);
    expect(written).toMatchObject({
      status: 201,
      body: { interaction: { id: `HospitalCMSP:${id}`, org: 'HospitalCMSP' } },
    });
    const seen = await eventually(
      'HospitalC’s record on the Regulator’s app',
      () =>
        fetchInNamespace(
          namespaceOf(REGULATOR),
          `${regulatorUrl}/api/v1/channels/hospital-a/interactions/${encodeURIComponent(`HospitalCMSP:${id}`)}`,
          {
            headers: { authorization: `Bearer ${regulatorAuditorKey}` },
          },
        ),
      (answer) => answer.status === 200,
      60_000,
    );
    expect((seen.body as { interaction: { org: string } }).interaction.org).toBe('HospitalCMSP');
    // Its processes run on its own host alone: CA, orderer node, peer, chaincode server, database, app and AI gateway.
    const running = new FabricNetwork(optionsOf(HOSPITAL_C))
      .status()
      .filter((p) => p.running)
      .map((p) => p.name);
    expect(running.sort()).toEqual(
      [
        'ai-gateway.hospital-c',
        'app.hospital-c',
        'ca.hospital-c',
        'chaincode.hospital-c',
        'orderer0.hospital-c',
        'peer0.hospital-c',
        'postgres.hospital-c',
      ].sort(),
    );

    // Its node takes part in ordering: with five consenters SmartBFT needs four, so with HospitalB's
    // node down hospital-a orders only if HospitalC's node votes.
    const hospitalB = new FabricNetwork(optionsOf(HOSPITAL_B));
    expect(await hospitalB.kill(`orderer0.${HOSPITAL_B.slug}`)).toBe(true);
    try {
      const orderedId = `hosts-c-quorum-${Date.now()}`;
      let lastAnswer: NamespaceAnswer | undefined;
      await eventually(
        'a HospitalC write ordered by four of the five consenters, HospitalC’s among them',
        async () => (lastAnswer = await writeAsHospitalC(orderedId)),
        (answer) => answer.status === 201,
        120_000,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; last answer ${JSON.stringify(lastAnswer)}`);
      });
    } finally {
      expectSucceeded(await asMember(HOSPITAL_B, 300_000, 'up', '--org', HOSPITAL_B.slug, '--hand-over', handOver));
    }
  }, 1_200_000);

  it('removes HospitalC from hospital-a by a majority; its writes there are then refused', async () => {
    const removal = join(handOver, 'hospital-a-remove-hospital-c.pb');
    const proposed = await asMember(
      HOSPITAL_A,
      120_000,
      'propose-remove',
      '--org',
      HOSPITAL_A.slug,
      '--channel',
      'hospital-a',
      '--member',
      HOSPITAL_C.mspId,
      '--out',
      removal,
    );
    expectSucceeded(proposed);
    // Its node came in with it and leaves with it: the founders' four consenters stay.
    expect(proposed.stderr).toMatch(
      /hospital-a: removes HospitalCMSP's node [\d.]+:\d+ \(consenter 5\): 5 → 4 consenters, 4 → 3 sign each block/,
    );
    expectSucceeded(await asMember(REGULATOR, 120_000, 'sign', '--org', REGULATOR.slug, '--proposal', removal));
    // With HospitalC a member, the channel has four: two signatures are no majority.
    const short = await asMember(HOSPITAL_A, 120_000, 'submit', '--org', HOSPITAL_A.slug, '--proposal', removal);
    expect(short.status).toBe(1);
    expect(short.stderr).toContain('needs the admins of 3 of 4 orgs');
    expectSucceeded(await asMember(AI_PROVIDER, 120_000, 'sign', '--org', AI_PROVIDER.slug, '--proposal', removal));
    expectSucceeded(await asMember(HOSPITAL_A, 120_000, 'submit', '--org', HOSPITAL_A.slug, '--proposal', removal));
    const id = `hosts-c-removed-${Date.now()}`;
    let last: NamespaceAnswer | undefined;
    const refused = await eventually(
      'HospitalC’s write refused after its removal',
      async () => (last = await writeAsHospitalC(id)),
      (answer) => answer.status !== 201 && answer.status !== 503,
      60_000,
    ).catch((error: unknown) => {
      const log = readFileSync(join(optionsOf(HOSPITAL_C).dir, 'logs', 'app.hospital-c.log'), 'utf8');
      throw new Error(
        `${String(error)}; last answer ${JSON.stringify(last)}; app log:\n${log.split('\n').slice(-6).join('\n')}`,
      );
    });
    expect(refused.status).toBe(403);
    const absent = await fetchInNamespace(
      namespaceOf(REGULATOR),
      `${regulatorUrl}/api/v1/channels/hospital-a/interactions/${encodeURIComponent(`HospitalCMSP:${id}`)}`,
      { headers: { authorization: `Bearer ${regulatorAuditorKey}` } },
    );
    expect(absent.status).toBe(404);
  }, 600_000);

  it('upgrades the chaincode across the members: each deploys the new build, each channel’s majority commits the next sequence', async () => {
    const file = join(CHAINCODE_DIR, 'dist', 'index.js');
    const original = readFileSync(file);
    const deploy = async (org: OrgSpec): Promise<string> => {
      const run = await asMember(org, 600_000, 'deploy', '--org', org.slug);
      expectSucceeded(run);
      return run.stdout;
    };
    const chaincodeServers = (org: OrgSpec): string[] =>
      new FabricNetwork(optionsOf(org))
        .status()
        .filter((p) => p.running && p.name.startsWith('chaincode.'))
        .map((p) => p.name)
        .sort();
    try {
      appendFileSync(file, `\n// changed by the members' upgrade test at ${new Date().toISOString()}\n`);
      const changed = chaincodeVersion();
      // HospitalA alone is no majority on hospital-a: its new server runs beside the old one meanwhile.
      expect(await deploy(HOSPITAL_A)).toContain('hospital-a: approved; 1 of the 2 approvals needed so far');
      expect(chaincodeServers(HOSPITAL_A)).toEqual(['chaincode.hospital-a', 'chaincode.hospital-a.next']);
      // The AI provider's approval completes hospital-a's majority (it commits); hospital-b waits for another.
      const provider = await deploy(AI_PROVIDER);
      expect(provider).toContain(`hospital-a: chaincode ${changed} committed (sequence 2)`);
      expect(provider).toContain('hospital-b: approved; 1 of the 2 approvals needed so far');
      const regulator = await deploy(REGULATOR);
      expect(regulator).toContain(`hospital-b: chaincode ${changed} committed (sequence 2)`);
      expect(chaincodeServers(REGULATOR)).toEqual(['chaincode.regulator']);
      // The others finish the switch (or, HospitalB, approve late): one server each, under its usual name.
      for (const org of [HOSPITAL_A, AI_PROVIDER, HOSPITAL_B]) {
        expect(await deploy(org)).toContain(`chaincode ${changed} committed (sequence 2)`);
        expect(chaincodeServers(org)).toEqual([`chaincode.${org.slug}`]);
      }
      const id = `hosts-upgraded-${Date.now()}`;
      const written = await eventually(
        'a write on the upgraded chaincode',
        () =>
          fetchInNamespace(namespaceOf(HOSPITAL_A), `${hospitalUrl}/api/v1/channels/hospital-a/interactions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${hospitalKeys.recorder ?? ''}` },
            body: { ...interactionRequest(id), applicationId: 'hosts-suite' },
          }),
        (answer) => answer.status !== 503,
        60_000,
      );
      expect(written.status).toBe(201);
      const read = await eventually(
        'the write on the Regulator’s app',
        () =>
          fetchInNamespace(
            namespaceOf(REGULATOR),
            `${regulatorUrl}/api/v1/channels/hospital-a/interactions/${encodeURIComponent(`HospitalAMSP:${id}`)}`,
            { headers: { authorization: `Bearer ${regulatorAuditorKey}` } },
          ),
        (answer) => answer.status === 200,
        60_000,
      );
      expect((read.body as { interaction: { org: string } }).interaction.org).toBe('HospitalAMSP');
    } finally {
      writeFileSync(file, original);
    }
  }, 900_000);

  it('revokes a HospitalA user: the CRL update signed by a majority on their own hosts, then its writes are refused', async () => {
    const record = (id: string): Promise<NamespaceAnswer> =>
      fetchInNamespace(namespaceOf(HOSPITAL_A), `${hospitalUrl}/api/v1/channels/hospital-a/interactions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${hospitalKeys.recorder ?? ''}` },
        body: { ...interactionRequest(id), applicationId: 'hosts-suite' },
      });
    const before = `hosts-before-revocation-${Date.now()}`;
    expect(
      await eventually(
        'a write before the revocation',
        () => record(before),
        (a) => a.status !== 503,
        60_000,
      ),
    ).toMatchObject({
      status: 201,
    });
    const revoked = await asMember(
      HOSPITAL_A,
      180_000,
      'revoke',
      '--org',
      HOSPITAL_A.slug,
      '--user',
      'app-recorder',
      '--reason',
      'keycompromise',
      '--out',
      join(handOver, 'revocations'),
    );
    expectSucceeded(revoked);
    // On hospital-b, which HospitalA's node orders without HospitalA being a member, its admin alone puts the CRL.
    expect(revoked.stdout).toMatch(/hospital-b: CRL in config block \d+/);
    const proposal = /hospital-a: (\S+\.pb) signed by HospitalA/.exec(revoked.stdout)?.[1];
    expect(proposal).toBeDefined();
    expectSucceeded(await asMember(REGULATOR, 120_000, 'sign', '--org', REGULATOR.slug, '--proposal', proposal ?? ''));
    expectSucceeded(
      await asMember(HOSPITAL_A, 120_000, 'submit', '--org', HOSPITAL_A.slug, '--proposal', proposal ?? ''),
    );
    const after = `hosts-after-revocation-${Date.now()}`;
    let last: NamespaceAnswer | undefined;
    const refused = await eventually(
      'the revoked recorder refused',
      async () => (last = await record(after)),
      (answer) => answer.status !== 201 && answer.status !== 503,
      60_000,
    ).catch((error: unknown) => {
      const log = readFileSync(join(optionsOf(HOSPITAL_A).dir, 'logs', 'app.hospital-a.log'), 'utf8');
      throw new Error(
        `${String(error)}; last answer ${JSON.stringify(last)}; app log:\n${log.split('\n').slice(-4).join('\n')}`,
      );
    });
    expect(refused.status).toBe(403);
    const absent = await fetchInNamespace(
      namespaceOf(REGULATOR),
      `${regulatorUrl}/api/v1/channels/hospital-a/interactions/${encodeURIComponent(`HospitalAMSP:${after}`)}`,
      { headers: { authorization: `Bearer ${regulatorAuditorKey}` } },
    );
    expect(absent.status).toBe(404);
  }, 600_000);

  it('leaves every private key in its own org’s directory, and none in the hand-over folder', () => {
    const keyFiles = filesUnder(base).filter((file) => readFileSync(file, 'latin1').includes('PRIVATE KEY'));
    expect(keyFiles.length).toBeGreaterThan(ALL_ORGS.length * 5);
    // A key file belongs to the member whose directory holds it, and to no other org's folder or node in it.
    const misplaced = keyFiles.filter((file) => {
      const path = relative(base, file);
      const [member, kind] = path.split('/');
      const owner = ALL_ORGS.find((org) => org.slug === member);
      if (owner === undefined || kind === 'members') return true;
      return ALL_ORGS.some((other) => other.slug !== owner.slug && path.includes(other.slug));
    });
    expect(misplaced).toEqual([]);
  });
});
