import type { Contract } from '@hyperledger/fabric-gateway';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  CHAINCODE_NAME,
  ChannelConfigUpdates,
  HOSPITAL_A,
  NetworkLayout,
  OrgCertificateAuthority,
  ProcessSupervisor,
  REGULATOR,
  crlSha256,
  ensureBinaries,
  memberOrgGroup,
  peerCliEnv,
  readSidecar,
  revokedSerials,
  revokeCertificate,
  run as runCommand,
  sidecarPath,
  verifyOrgDefinition,
  withRevocationList,
  type ConfigChange,
  type FabricBinaries,
  type IdentityPaths,
  type OrgSpec,
  type RevocationListChange,
} from '@aal/network';
import { contractRefusal, refusal, submitTransaction } from '../support/chaincode-calls';
import { eventually } from '../support/eventually';
import { gatewayForIdentity, testGateway, type TestGateway } from '../support/gateway';
import { interactionRequest, postInteraction } from '../support/interactions';
import { orgCli as runOrgCli, type OrgCliRun } from '../support/org-cli';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';

/*
 * Revoking a user certificate (issue 14): HospitalA's CA revokes a user only this file enrolls, and
 * the CRL enters HospitalA's MSP on hospital-a (its only channel) by a majority-signed channel
 * configuration update. The network stays usable for the other files: only that user is refused.
 */

const CHANNEL = 'hospital-a';
/** The peers of hospital-a's members; HospitalB's peer is not on the channel and serves it to nobody. */
const CHANNEL_PEERS: readonly OrgSpec[] = [HOSPITAL_A, AI_PROVIDER, REGULATOR];

const environment = loadTestEnvironment();
const options = testNetworkOptions();
const layout = new NetworkLayout(options);
const run = randomBytes(4).toString('hex');
const workDir = join(layout.dir, `revocation-test-${run}`);
const proposalDir = join(workDir, 'proposals');
const identityOf = (name: string): IdentityPaths => ({
  name,
  msp: join(workDir, name, 'msp'),
  tls: { cert: join(workDir, name, 'tls', 'cert.pem'), key: join(workDir, name, 'tls', 'key.pem'), ca: '' },
});
const revocable = identityOf(`revocable-${run}`);
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
/** The sidecar's change as the revocation this file proposes (any other kind fails the test). */
function revocationOf(change: ConfigChange): RevocationListChange {
  if (change.kind !== 'revocation-list') throw new Error(`a ${change.kind} change, not a revocation list`);
  return change;
}
const artifact = (id: string): string =>
  JSON.stringify({ id, kind: 'model', name: `name-${id}`, version: '1', sha256: sha256(`bytes of ${id}`) });

let binaries: FabricBinaries;
let updates: ChannelConfigUpdates;
const gateways: TestGateway[] = [];
function contractAs(user: IdentityPaths, peerOrg: OrgSpec): Contract {
  const client = gatewayForIdentity(layout, HOSPITAL_A, user, peerOrg);
  gateways.push(client);
  return client.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
}
function appContract(role: 'recorder' | 'auditor', peerOrg: OrgSpec = HOSPITAL_A): Contract {
  const client = testGateway(HOSPITAL_A, role, peerOrg);
  gateways.push(client);
  return client.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME);
}
const configBlock = async (): Promise<number> => (await updates.currentConfig(HOSPITAL_A, CHANNEL)).blockNumber;

/** `npm run org -- …` against the test network. */
const orgCli = (...args: string[]): OrgCliRun => runOrgCli(options, ...args);

/** Every private key of the identities whose material went near the proposal, as PEM text. */
function privateKeys(identities: readonly IdentityPaths[]): string[] {
  return identities.flatMap((identity) => {
    const dir = join(identity.msp, 'keystore');
    return readdirSync(dir).map((file) => readFileSync(join(dir, file), 'utf8'));
  });
}

/** The base64 body of a PEM block, without line breaks: what would show if a key were embedded. */
const pemBody = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

beforeAll(async () => {
  binaries = await ensureBinaries();
  updates = new ChannelConfigUpdates(layout, binaries);
  mkdirSync(proposalDir, { recursive: true });
  const ca = new OrgCertificateAuthority(layout, binaries, new ProcessSupervisor(layout.pidsDir), HOSPITAL_A);
  await ca.issue({ name: revocable.name, type: 'client', attributes: { role: 'recorder' } }, revocable, false);
});

afterAll(() => {
  for (const client of gateways) client.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('revoking a user certificate', () => {
  let proposal = '';
  let baseBlock = 0;

  it("a freshly registered HospitalA user records through HospitalA's peer", async () => {
    const id = `HospitalAMSP:rev-before-${run}`;
    await submitTransaction(contractAs(revocable, HOSPITAL_A), TRANSACTIONS.registerArtifact, {
      arguments: [artifact(id)],
    });
    const stored = JSON.parse(
      new TextDecoder().decode(await appContract('recorder').evaluateTransaction(TRANSACTIONS.getArtifact, id)),
    ) as { id: string };
    expect(stored.id).toBe(id);
    baseBlock = await configBlock();
  });

  it('bad input is a clear error and changes nothing: unknown org, unknown user, a file that is not a proposal', async () => {
    const unknownOrg = orgCli('revoke', '--org', 'hospital-z', '--user', revocable.name);
    expect(unknownOrg.status).toBe(2);
    expect(unknownOrg.stderr).toContain("unknown organisation 'hospital-z'");

    const unknownUser = orgCli('revoke', '--org', 'hospital-a', '--user', `nobody-${run}`, '--out', proposalDir);
    expect(unknownUser.status).toBe(1);
    expect(unknownUser.stderr).toContain(`HospitalA's CA has no identity 'nobody-${run}': nothing was revoked`);

    const noSidecar = join(workDir, 'not-a-proposal.pb');
    writeFileSync(noSidecar, 'hello');
    await expect(updates.sign(REGULATOR, noSidecar)).rejects.toThrow(
      `${noSidecar} is not a configuration update proposal: its sidecar ${sidecarPath(noSidecar)} is missing`,
    );
    const garbageSidecar = join(workDir, 'garbage-sidecar.pb');
    writeFileSync(garbageSidecar, 'hello');
    writeFileSync(sidecarPath(garbageSidecar), JSON.stringify({ format: 'something-else' }));
    await expect(updates.sign(REGULATOR, garbageSidecar)).rejects.toThrow(
      /is not a configuration update proposal: format/,
    );
    const notAnEnvelope = join(workDir, 'not-an-envelope.pb');
    writeFileSync(notAnEnvelope, randomBytes(64));
    writeFileSync(
      sidecarPath(notAnEnvelope),
      JSON.stringify({
        format: 'aal-config-update/1',
        channel: CHANNEL,
        proposedBy: HOSPITAL_A.mspId,
        baseConfigBlock: baseBlock,
        change: { kind: 'revocation-list', org: HOSPITAL_A.mspId, revokedSerials: [], crlSha256: '0'.repeat(64) },
      }),
    );
    const submitted = orgCli('submit', '--org', 'regulator', '--proposal', notAnEnvelope);
    expect(submitted.status).toBe(1);
    expect(submitted.stderr).toContain(`${notAnEnvelope} is not a config update envelope`);

    expect(await configBlock()).toBe(baseBlock);
    // The user was not touched: it still records.
    await submitTransaction(contractAs(revocable, HOSPITAL_A), TRANSACTIONS.registerArtifact, {
      arguments: [artifact(`HospitalAMSP:rev-still-${run}`)],
    });
  });

  it("revoke writes a proposal signed by HospitalA's admin alone, with a sidecar naming the CRL", async () => {
    const outcome = await revokeCertificate(layout, binaries, new ProcessSupervisor(layout.pidsDir), {
      org: HOSPITAL_A,
      user: revocable.name,
      reason: 'keycompromise',
      proposalDir,
      signAs: [],
    });
    expect(outcome.channels.map((channel) => [channel.channel, channel.configBlock])).toEqual([[CHANNEL, undefined]]);
    proposal = outcome.channels[0]?.proposal ?? '';
    const serial = new X509Certificate(readFileSync(join(revocable.msp, 'signcerts', 'cert.pem'))).serialNumber;
    const sidecar = readSidecar(proposal);
    expect(sidecar).toMatchObject({
      channel: CHANNEL,
      proposedBy: HOSPITAL_A.mspId,
      baseConfigBlock: baseBlock,
      change: {
        kind: 'revocation-list',
        org: HOSPITAL_A.mspId,
        revokedUser: revocable.name,
        reason: 'keycompromise',
      },
    });
    // Compared as numbers: the CRL's serials are whole bytes of hex ('0d3a…'), Node's serialNumber
    // may drop a leading zero digit ('D3A…'), which made a string comparison fail one run in 16.
    expect(revocationOf(sidecar.change).revokedSerials.map((hex) => BigInt(`0x${hex}`))).toContainEqual(
      BigInt(`0x${serial}`),
    );
    const inspected = await updates.inspect(HOSPITAL_A, proposal);
    expect(inspected.signers).toEqual([{ mspId: HOSPITAL_A.mspId, isAdmin: true }]);
  });

  it('a non-admin’s signature counts for nothing: submit names it and sends nothing', async () => {
    // A deviating Regulator signs with its app's recorder (a client, not an admin) by hand, on a copy.
    const copy = join(workDir, 'signed-by-a-client.pb');
    copyFileSync(proposal, copy);
    copyFileSync(sidecarPath(proposal), sidecarPath(copy));
    await runCommand(binaries.peer, ['channel', 'signconfigtx', '-f', copy], {
      env: {
        ...peerCliEnv(layout, join(layout.configDir, 'peer'), REGULATOR),
        CORE_PEER_MSPCONFIGPATH: layout.appUserIdentity(REGULATOR, 'recorder').msp,
      },
    });
    const inspected = await updates.inspect(HOSPITAL_A, copy);
    expect(inspected.signers).toEqual([
      { mspId: HOSPITAL_A.mspId, isAdmin: true },
      { mspId: REGULATOR.mspId, isAdmin: false },
    ]);
    const refused = orgCli('submit', '--org', 'hospital-a', '--proposal', copy);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('POLICY_NOT_MET');
    expect(refused.stderr).toContain('signed so far by 1: HospitalAMSP; not counted: RegulatorMSP (not an admin)');
    expect(refused.stderr).toContain('Nothing was sent.');
    expect(await configBlock()).toBe(baseBlock);
  });

  it('submit with only one signature is refused naming the policy and the signer; nothing is sent', async () => {
    const refused = orgCli('submit', '--org', 'hospital-a', '--proposal', proposal);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('POLICY_NOT_MET');
    expect(refused.stderr).toContain(
      `channel ${CHANNEL}: policy /Channel/Application/Admins (MAJORITY Admins) needs the admins of 2 of 3 orgs ` +
        `(AIProviderMSP, HospitalAMSP, RegulatorMSP), signed so far by 1: HospitalAMSP;`,
    );
    expect(refused.stderr).toContain('Nothing was sent.');
    expect(await configBlock()).toBe(baseBlock);
    // Revoked at the CA only, the certificate is still good on the channel: the CRL is not in its config yet.
    await submitTransaction(contractAs(revocable, HOSPITAL_A), TRANSACTIONS.registerArtifact, {
      arguments: [artifact(`HospitalAMSP:rev-not-yet-${run}`)],
    });
  });

  it('a proposal whose envelope does more than its sidecar says, or whose sidecar was edited, is refused unsigned', async () => {
    // A deviating HospitalA admin: the sidecar says "CRL", the envelope also makes any single org a channel admin.
    const ca = new OrgCertificateAuthority(layout, binaries, new ProcessSupervisor(layout.pidsDir), HOSPITAL_A);
    const crl = await ca.generateCrl();
    const smuggled = join(proposalDir, 'smuggled.pb');
    // The tool checks before any signature, the proposer's own included: HospitalA's `propose` refuses to sign.
    await expect(
      updates.propose(
        HOSPITAL_A,
        CHANNEL,
        smuggled,
        (current) => {
          const updated = withRevocationList(current, CHANNEL, HOSPITAL_A.mspId, [crl]);
          const application = updated.channel_group.groups.Application as unknown as {
            policies: { Admins: { policy: { value: { rule: string } } } };
          };
          application.policies.Admins.policy.value.rule = 'ANY';
          return updated;
        },
        {
          kind: 'revocation-list',
          org: HOSPITAL_A.mspId,
          revokedUser: revocable.name,
          revokedSerials: revokedSerials(crl),
          crlSha256: crlSha256(crl),
        },
      ),
    ).rejects.toThrow(`${smuggled} does not make the change its sidecar describes`);
    await expect(updates.inspect(REGULATOR, smuggled)).rejects.toThrow(
      `${smuggled} does not make the change its sidecar describes: its update differs`,
    );
    const signed = orgCli('sign', '--org', 'regulator', '--proposal', smuggled);
    expect(signed.status).toBe(1);
    expect(signed.stderr).toContain(`${smuggled} does not make the change its sidecar describes`);

    // The honest proposal with an edited sidecar (another CRL hash): refused too, the file untouched.
    const edited = join(proposalDir, 'edited.pb');
    writeFileSync(edited, readFileSync(proposal));
    const sidecar = readSidecar(proposal);
    writeFileSync(
      sidecarPath(edited),
      JSON.stringify({ ...sidecar, change: { ...sidecar.change, crlSha256: 'f'.repeat(64) } }),
    );
    const before = readFileSync(edited);
    const editedSign = orgCli('sign', '--org', 'regulator', '--proposal', edited);
    expect(editedSign.status).toBe(1);
    expect(editedSign.stderr).toContain(
      `${edited} does not make the change its sidecar describes: the CRL it writes has another SHA-256`,
    );
    expect(readFileSync(edited).equals(before)).toBe(true);
    expect(await configBlock()).toBe(baseBlock);
  });

  it('signing twice changes nothing', async () => {
    const before = readFileSync(proposal);
    const again = orgCli('sign', '--org', 'hospital-a', '--proposal', proposal);
    expect(again.status).toBe(0);
    expect(again.stderr + again.stdout).toContain("is already signed by HospitalA's admin: unchanged");
    expect(readFileSync(proposal).equals(before)).toBe(true);
    expect((await updates.inspect(HOSPITAL_A, proposal)).signers).toHaveLength(1);
  });

  it("with the Regulator's admin's signature too, submit puts the CRL into HospitalA's MSP on the channel", async () => {
    const signed = orgCli('sign', '--org', 'regulator', '--proposal', proposal);
    expect(signed.status).toBe(0);
    expect((await updates.inspect(HOSPITAL_A, proposal)).signers).toEqual([
      { mspId: HOSPITAL_A.mspId, isAdmin: true },
      { mspId: REGULATOR.mspId, isAdmin: true },
    ]);
    const submitted = orgCli('submit', '--org', 'hospital-a', '--proposal', proposal);
    expect(submitted.stderr).not.toContain('✖');
    expect(submitted.status).toBe(0);
    expect(submitted.stdout).toContain('signed by HospitalAMSP, RegulatorMSP');
    const current = await updates.currentConfig(HOSPITAL_A, CHANNEL);
    expect(current.blockNumber).toBeGreaterThan(baseBlock);
    const { revocation_list: crls = [] } =
      current.config.channel_group.groups.Application.groups.HospitalA?.values.MSP.value.config ?? {};
    expect(crls.map((crl) => sha256(Buffer.from(crl, 'base64').toString('utf8')))).toEqual([
      revocationOf(readSidecar(proposal).change).crlSha256,
    ]);
    // A proposal computed against the old config is stale now: refused before anything is sent.
    const stale = orgCli('submit', '--org', 'hospital-a', '--proposal', proposal);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(`STALE_UPDATE: ${proposal} was computed against config block ${baseBlock}`);
  });

  it('neither the proposal nor its sidecar holds a private key', () => {
    const keys = privateKeys([layout.adminIdentity(HOSPITAL_A), layout.adminIdentity(REGULATOR), revocable]);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const file of [proposal, sidecarPath(proposal)]) {
      const bytes = readFileSync(file);
      expect(bytes.includes('PRIVATE KEY')).toBe(false);
      for (const key of keys) {
        expect(bytes.includes(pemBody(key))).toBe(false);
        // Also not as raw DER (the envelope is protobuf, certificates inside it are PEM bytes).
        expect(bytes.includes(Buffer.from(pemBody(key), 'base64'))).toBe(false);
      }
    }
  });

  it("the revoked identity's proposals are refused by every member peer of the channel, and nothing it sends is recorded", async () => {
    for (const peerOrg of CHANNEL_PEERS) {
      const id = `HospitalAMSP:rev-after-${peerOrg.slug}-${run}`;
      // The config block reaches the other orgs' peers a moment after HospitalA's.
      const message = await eventually(`${peerOrg.name}'s peer refuses the revoked certificate`, () =>
        refusal(contractAs(revocable, peerOrg).submitTransaction(TRANSACTIONS.registerArtifact, artifact(id))),
      );
      expect({ peer: peerOrg.name, message }).toEqual({
        peer: peerOrg.name,
        message: expect.stringMatching(/access denied/) as unknown,
      });
      expect(
        (await contractRefusal(appContract('recorder').evaluateTransaction(TRANSACTIONS.getArtifact, id)))?.code,
      ).toBe('NOT_FOUND');
      // The peer's MSP says why: the CRL in the channel's config revokes this very certificate.
      const peerLog = readFileSync(layout.logFile(layout.peerProcess(peerOrg)), 'utf8');
      const why = `The certificate has been revoked (certificate subject=CN=${revocable.name},OU=client,O=HospitalA`;
      expect({ peer: peerOrg.name, revokedInLog: peerLog.includes(why) }).toEqual({
        peer: peerOrg.name,
        revokedInLog: true,
      });
    }
    // Reads too.
    const read = await refusal(
      contractAs(revocable, HOSPITAL_A).evaluateTransaction(TRANSACTIONS.getArtifact, `HospitalAMSP:rev-before-${run}`),
    );
    expect(read).toMatch(/access denied/);
  });

  it("other HospitalA users keep working, through the SDK and through HospitalA's app", async () => {
    await submitTransaction(appContract('recorder'), TRANSACTIONS.registerArtifact, {
      arguments: [artifact(`HospitalAMSP:rev-others-${run}`)],
    });
    const created = await postInteraction(
      environment.apps[HOSPITAL_A.name] ?? '',
      CHANNEL,
      bearer(environment, HOSPITAL_A.name, 'recorder'),
      interactionRequest(`rev-app-${run}`),
    );
    expect(created.status).toBe(201);
    await created.body?.cancel();
  });

  it('HospitalA’s exported definition carries the CRL, so the group a channel it joins later gets refuses the user too', async () => {
    const file = join(workDir, 'hospital-a.definition.json');
    const exported = orgCli('export', '--org', 'hospital-a', '--out', file);
    expect(exported.status).toBe(0);
    const definition = verifyOrgDefinition(readFileSync(file, 'utf8'));
    const serial = new X509Certificate(readFileSync(join(revocable.msp, 'signcerts', 'cert.pem'))).serialNumber;
    // As numbers, as above: Node's serialNumber may drop a leading zero digit.
    expect(
      (definition.revocationLists ?? []).flatMap((crl) => revokedSerials(crl)).map((hex) => BigInt(`0x${hex}`)),
    ).toContainEqual(BigInt(`0x${serial}`));
    // What propose-add would write for HospitalA on another channel (configtxgen reads the CRLs).
    const group = (await memberOrgGroup(binaries, definition)) as {
      values: { MSP: { value: { config: { revocation_list?: string[] } } } };
    };
    expect(
      (group.values.MSP.value.config.revocation_list ?? []).map((crl) => Buffer.from(crl, 'base64').toString('utf8')),
    ).toEqual(definition.revocationLists);
    // A receiving member sees what it signs: the CRL's fingerprint.
    const verified = orgCli('verify-definition', '--file', file);
    expect(verified.stdout).toMatch(/CRL SHA-256 [0-9a-f]{64}, revoking \d+ certificate\(s\)/);
  });

  it('revoking again publishes nothing: the channel already carries a CRL revoking these certificates', async () => {
    const before = await configBlock();
    const again = orgCli(
      'revoke',
      '--org',
      'hospital-a',
      '--user',
      revocable.name,
      '--sign-as',
      'regulator',
      '--out',
      proposalDir,
    );
    expect(again.stderr).not.toContain('✖');
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`${CHANNEL}: already carries a CRL revoking these certificates`);
    expect(await configBlock()).toBe(before);
  });

  it('the dev-network flow (--sign-as) revokes a second user in one command', async () => {
    const second = identityOf(`revocable-two-${run}`);
    const ca = new OrgCertificateAuthority(layout, binaries, new ProcessSupervisor(layout.pidsDir), HOSPITAL_A);
    await ca.issue({ name: second.name, type: 'client', attributes: { role: 'recorder' } }, second, false);
    const before = await configBlock();
    const revoked = orgCli(
      'revoke',
      '--org',
      'hospital-a',
      '--user',
      second.name,
      '--sign-as',
      'ai-provider',
      '--out',
      proposalDir,
    );
    expect(revoked.stderr).not.toContain('✖');
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`${CHANNEL}: CRL in config block \\d+`));
    expect(await configBlock()).toBeGreaterThan(before);
    const message = await eventually(`HospitalA's peer refuses the second revoked certificate`, () =>
      refusal(
        contractAs(second, HOSPITAL_A).submitTransaction(
          TRANSACTIONS.registerArtifact,
          artifact(`HospitalAMSP:rev-two-${run}`),
        ),
      ),
    );
    expect(message).toMatch(/access denied/);
  });
});
