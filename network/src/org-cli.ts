/**
 * `npm run org -- <command>`: one member organisation's admin operations on the channels: revoking a
 * user's certificate, proposing to add or remove a member, signing and submitting channel
 * configuration updates, joining a channel it was added to; exporting its public
 * definition and checking another member's; and its processes' service units. Each command acts as
 * the named org's admin (its local MSP) against that org's own peer. Settings come from the same
 * AAL_* environment variables as `npm run network` (AAL_NETWORK_DIR, AAL_BASE_PORT).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './binaries';
import { revokeCertificate } from './certificate-revocation';
import { crlSha256, revokedSerials } from './certificate-revocation-list';
import { ChannelConfigUpdates, policyCounts } from './channel-config-update';
import { foundChannels } from './channel-founding';
import { importedDefinition, importHandOverFolder } from './member-definitions';
import { joinChannel } from './channel-join';
import { readSidecar, sidecarPath } from './config-update-proposal';
import { NetworkError } from './errors';
import type { ProfileChannelOutcome } from './gateway-profile-channels';
import { address, NetworkLayout } from './layout';
import { certificateFingerprint, exportOrgDefinition, verifyOrgDefinition, type OrgDefinition } from './org-definition';
import { FabricNetwork, networkDirFromEnv, optionsFromEnv, recordedMember } from './network';
import { isFoundingOrg } from './joining-org';
import { parseOrgCommandLine, type OrgCommandLine } from './org-cli-options';
import { ProcessSupervisor } from './processes';
import { REVOCATION_REASONS } from './revocation-reasons';
import { PEER_ORGS, type OrgSpec } from './topology';
import { orgTargetName, writeOrgServiceUnits } from './service-units';

const USAGE = `usage: npm run org -- <command>
  init --org <slug> [--name <Name> --msp-id <Name>MSP]
                                          on the org's host: starts its CA on the host's address (AAL_ORG_HOSTS) and
                                          issues its identities and TLS certificates for that address; idempotent.
                                          A new org (not a founding one) gives its name and MSP id too: it runs on
                                          a host of its own and joins channels after the members' update adding it
  revoke --org <slug> --user <enrollment id> [--reason <reason>] [--sign-as <slug,…>] [--out <dir>]
        the org's CA revokes the user's certificates; its CRL goes into the org's MSP definition on every
        channel the org is a member of, as one configuration update proposal per channel (signed by the org,
        written to --out, default <network dir>/proposals). With --sign-as (dev network: all admins are local)
        those orgs' admins sign too and the update is submitted; without, hand the files to the other admins.
        reasons: ${REVOCATION_REASONS.join(', ')}
  propose-add --org <slug> --channel <name> --definition <file> [--out <file>]
        an update adding the org of an exported definition (checked as verify-definition does) to the channel
        as a member, computed against the channel's current config and signed by --org's admin
  propose-remove --org <slug> --channel <name> --member <MSP id> [--out <file>]
        an update removing a member from the channel, signed by --org's admin
  sign --org <slug> --proposal <file>     the org's admin signs the proposal in place (again: no change)
  submit --org <slug> --proposal <file>   sends it once the channel's Admins policy (MAJORITY of the channel's
                                          orgs' admins, the sender's included) is met; else refuses, sending nothing
  inspect --org <slug> --proposal <file>  shows what the proposal changes and whose signatures count
  join --org <slug> --channel <name>      once the update adding the org is committed: its peer joins the channel
                                          from the ordering service, catches up, and the org approves the
                                          committed chaincode definition; the channel is added to the org's
                                          gateway profile, so its app serves it from its next start
  export --org <slug> [--out <file>]       the org's public definition (root and TLS root certificates, NodeOUs,
                                          anchor peers; no key) for the consortium, with the fingerprints to confirm
  verify-definition --file <file>         checks a definition received from another member; prints its fingerprints
  found --org <slug> --hand-over <dir>     founding a members' (bft) consortium: imports every other member's definition
                                          from the hand-over folder and writes each channel's genesis block there,
                                          with the digests to confirm with the other members
  up --org <slug> --hand-over <dir>       in the member's own directory: imports the others' definitions, checks the
                                          founder's genesis blocks name this org as it is, starts its CA, orderer
                                          node and peer and joins them to the channels; idempotent. A new org
                                          imports the founders' definitions and starts its CA, orderer node
                                          (bft) and peer, on no channel until it joins
  deploy --org <slug>                     installs and runs the org's chaincode server and approves the chaincode on
                                          its channels; the member whose approval makes a majority commits it
  app --org <slug>                        starts the org's audit index database and REST app; prints its URL
  units --org <slug> [--out <dir>]        systemd units for the org's processes on this host, as the network tool
                                          runs them (default <network dir>/units/<slug>), and the ports a firewall opens`;

/** The definition's identity and root fingerprints: what members confirm with the org out of band. */
function printDefinition(definition: OrgDefinition): void {
  console.log(
    `${definition.name} (${definition.mspId}), anchor peers ${definition.anchorPeers.map(address).join(', ')}`,
  );
  for (const pem of definition.rootCerts) console.log(`  root certificate SHA-256 ${certificateFingerprint(pem)}`);
  for (const pem of definition.tlsRootCerts)
    console.log(`  TLS root certificate SHA-256 ${certificateFingerprint(pem)}`);
  for (const pem of definition.revocationLists ?? [])
    console.log(`  CRL SHA-256 ${crlSha256(pem)}, revoking ${revokedSerials(pem).length} certificate(s)`);
  const node = definition.ordererNode;
  if (node !== undefined)
    console.log(
      `  orderer node ${address(node.endpoint)}: identity SHA-256 ${certificateFingerprint(node.identityCert)}, ` +
        `TLS SHA-256 ${certificateFingerprint(node.tlsCert)}`,
    );
  console.log(`  ${definition.digest}`);
}

/** Where a proposal is written when no --out is given. */
function proposalFile(networkDir: string, channel: string, what: string): string {
  const dir = join(networkDir, 'proposals');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${channel}-${what}-${new Date().toISOString().replace(/[:.]/g, '-')}.pb`);
}

function printNextSteps(file: string, channel: string, proposer: OrgSpec): void {
  console.log(
    `${file} (for ${channel}) signed by ${proposer.name}; next: each other admin inspects and signs it ` +
      `('npm run org -- inspect|sign --org <slug> --proposal <file>'), then one submits it ('npm run org -- submit …')`,
  );
}

/** What `join` did to the org's app configuration, and what the operator does next. */
function appServesChannel(org: OrgSpec, channel: string, profile: string, outcome: ProfileChannelOutcome): string {
  switch (outcome) {
    case 'added':
      return `${org.name}'s app serves ${channel} from its next start: ${channel} added to its gateway profile ${profile}; restart the app and its AI gateway`;
    case 'already-listed':
      return `${org.name}'s gateway profile ${profile} lists ${channel} already`;
    case 'no-profile':
      return `${org.name} has no gateway profile at ${profile}: list ${channel} in the channels of its app's profile, then start the app and its AI gateway`;
  }
}

async function main(argv: string[]): Promise<void> {
  let line: OrgCommandLine;
  try {
    // A member directory of an org that joined after the founding knows that org too.
    const own = recordedMember(networkDirFromEnv());
    line = parseOrgCommandLine(argv, own === undefined || isFoundingOrg(own.slug) ? PEER_ORGS : [...PEER_ORGS, own]);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (line.command === 'help') {
    console.log(USAGE);
    return;
  }
  const options = optionsFromEnv(
    process.env,
    line.command === 'verify-definition' || isFoundingOrg(line.org.slug) ? undefined : line.org.slug,
  );
  const layout = new NetworkLayout(options);
  if (line.command === 'verify-definition') {
    printDefinition(verifyOrgDefinition(readFileSync(line.file, 'utf8')));
    console.log('the file is well-formed and unchanged since export; confirm the fingerprints with the org itself');
    return;
  }
  if (line.command === 'export') {
    const definition = exportOrgDefinition(layout, line.org);
    const out = line.out ?? join(layout.dir, `${line.org.slug}.definition.json`);
    writeFileSync(out, `${JSON.stringify(definition, null, 2)}\n`, { mode: 0o644 });
    console.log(`wrote ${out}`);
    printDefinition(definition);
    console.log('hand the file to the consortium; tell them the fingerprints by another channel');
    return;
  }
  if (line.command === 'init') {
    const network = new FabricNetwork({
      ...options,
      member: line.org.slug,
      ...(line.joining === undefined ? {} : { joiningOrg: line.joining }),
    });
    await network.initOrg(line.org);
    console.log(
      `${line.org.name} (${line.org.mspId}) on ${network.layout.hostOf(line.org)}: identities under ${network.layout.orgDir(line.org)}`,
    );
    for (const port of network.layout.portsOf(line.org))
      console.log(`  ${address(port.endpoint)}  ${port.owner}: ${port.serves} (${port.reach})`);
    console.log(
      `next: 'npm run org -- export --org ${line.org.slug}' and hand the definition to the consortium; ` +
        `keep ${join(layout.dir, 'ca', line.org.slug)} and the keystores under ${network.layout.orgDir(line.org)} on this host`,
    );
    if (line.joining !== undefined)
      console.log(
        `${line.org.name} joins channels after the founding: a member proposes its addition with the definition ` +
          `('npm run org -- propose-add'); meanwhile start its peer ('npm run org -- up --org ${line.org.slug} ` +
          `--hand-over <folder with the founding members' definitions>'), then join once the update commits`,
      );
    return;
  }
  if (line.command === 'units') {
    const out = line.out ?? join(layout.dir, 'units', line.org.slug);
    const written = writeOrgServiceUnits(layout, line.org, out);
    for (const path of written) console.log(path);
    console.log(
      `install: copy them to /etc/systemd/system (the .env files stay where the units name them, ${out}), ` +
        `then 'systemctl daemon-reload && systemctl enable --now ${orgTargetName(line.org)}'`,
    );
    return;
  }
  if (line.command === 'up') {
    const network = new FabricNetwork(options);
    const imported = importHandOverFolder(layout, line.handOver);
    console.log(`imported the definitions of ${imported.map((org) => org.name).join(', ') || 'no other member'}`);
    // A new member has no genesis block to check them against: confirm these with each founder.
    if (layout.joiningMember !== undefined) {
      for (const org of imported) {
        const definition = importedDefinition(layout, org);
        if (definition !== undefined) printDefinition(definition);
      }
      console.log('confirm these fingerprints with each founding member by another channel before joining');
    }
    const blocks = await network.memberUp(line.org, line.handOver);
    for (const block of blocks) console.log(`${block.channel}: genesis block ${block.digest}`);
    console.log(
      layout.joiningMember === undefined
        ? `${line.org.name}'s nodes are up; next: 'npm run org -- deploy --org ${line.org.slug}' once every member's are`
        : `${line.org.name}'s nodes are up, on no channel yet; next: once the members' update adding it ` +
            `commits, 'npm run org -- join --org ${line.org.slug} --channel <name>'`,
    );
    return;
  }
  if (line.command === 'deploy') {
    for (const outcome of await new FabricNetwork(options).memberDeploy(line.org))
      console.log(
        'committed' in outcome
          ? `${outcome.channel}: chaincode ${outcome.committed.version} committed (sequence ${outcome.committed.sequence})`
          : `${outcome.channel}: approved; ${outcome.approvals.approved} of the ${outcome.approvals.needed} approvals needed ` +
              `so far: the member whose approval completes them commits`,
      );
    return;
  }
  if (line.command === 'app') {
    const url = await new FabricNetwork(options).memberStartApplication(line.org);
    console.log(`${line.org.name}'s app: ${url}`);
    console.log(`${line.org.name}'s AI gateway: http://${address(layout.aiGateway(line.org))}/v1`);
    console.log(`API keys: 'npm run apikey -- create --org ${line.org.slug} --role <role> --name <name>'`);
    return;
  }
  const binaries = await ensureBinaries();
  if (line.command === 'found') {
    const imported = importHandOverFolder(layout, line.handOver);
    console.log(`imported the definitions of ${imported.map((org) => org.name).join(', ')}`);
    for (const block of await foundChannels(layout, binaries, line.handOver))
      console.log(`${block.channel}: genesis block ${block.file} ${block.digest}`);
    console.log('hand the blocks to every member; confirm the digests with them by another channel');
    return;
  }
  switch (line.command) {
    case 'revoke': {
      const outcome = await revokeCertificate(
        layout,
        binaries,
        new ProcessSupervisor(layout.pidsDir, layout.serviceDefinitionsDir),
        {
          org: line.org,
          user: line.user,
          reason: line.reason,
          proposalDir: line.out ?? join(layout.dir, 'proposals'),
          signAs: line.signAs,
        },
      );
      for (const channel of outcome.channels) {
        if (channel.proposal === undefined)
          console.log(`${channel.channel}: already carries a CRL revoking these certificates`);
        else if (channel.configBlock !== undefined)
          console.log(`${channel.channel}: CRL in config block ${channel.configBlock} (${channel.proposal})`);
        else
          console.log(
            `${channel.channel}: ${channel.proposal} signed by ${line.org.name}; next: each other admin runs ` +
              `'npm run org -- sign --org <slug> --proposal <file>', then 'npm run org -- submit …'`,
          );
      }
      return;
    }
    case 'propose-add': {
      const definition = verifyOrgDefinition(readFileSync(line.definition, 'utf8'));
      printDefinition(definition);
      const file = line.out ?? proposalFile(layout.dir, line.channel, `add-${definition.mspId}`);
      const sidecar = await new ChannelConfigUpdates(layout, binaries).proposeAddMember(
        line.org,
        line.channel,
        definition,
        file,
      );
      printNextSteps(file, sidecar.channel, line.org);
      return;
    }
    case 'propose-remove': {
      const file = line.out ?? proposalFile(layout.dir, line.channel, `remove-${line.member}`);
      await new ChannelConfigUpdates(layout, binaries).proposeRemoveMember(line.org, line.channel, line.member, file);
      printNextSteps(file, line.channel, line.org);
      return;
    }
    case 'join': {
      const supervisor = new ProcessSupervisor(layout.pidsDir, layout.serviceDefinitionsDir);
      const outcome = await joinChannel(layout, binaries, supervisor, line.org, line.channel);
      console.log(
        `${line.org.name}'s peer ${outcome.joined ? 'joined' : 'was already on'} ${line.channel} (height ${outcome.height}); ` +
          (outcome.chaincode === undefined
            ? 'no chaincode is defined on it yet'
            : `chaincode definition sequence ${outcome.chaincode.sequence} (${outcome.chaincode.version}) approved for ${line.org.name}`),
      );
      if (outcome.orderer !== undefined)
        console.log(
          `${line.org.name}'s orderer node ${outcome.orderer.joined ? 'joined' : 'was already on'} ${line.channel} ` +
            `as a consenter (height ${outcome.orderer.height})`,
        );
      console.log(appServesChannel(line.org, line.channel, layout.gatewayProfile(line.org), outcome.profile));
      return;
    }
    case 'sign': {
      // An addition is signed for an org whose fingerprints the signer must have confirmed: show them.
      const { change } = readSidecar(line.proposal);
      if (change.kind === 'add-member') {
        console.log('signing the addition of:');
        printDefinition(change.definition);
      }
      await new ChannelConfigUpdates(layout, binaries).sign(line.org, line.proposal);
      return;
    }
    case 'submit': {
      const { configBlock, count } = await new ChannelConfigUpdates(layout, binaries).submit(line.org, line.proposal);
      console.log(`submitted: config block ${configBlock}, signed by ${count.signed.join(', ')}`);
      return;
    }
    case 'inspect': {
      const updates = new ChannelConfigUpdates(layout, binaries);
      const inspected = await updates.inspect(line.org, line.proposal);
      const { sidecar, signers, current } = inspected;
      const counts = policyCounts(current.config, inspected);
      if (sidecar.change.kind === 'add-member') {
        // The definition's certificates are long: show who joins and the fingerprints to confirm.
        console.log(`adds to channel ${sidecar.channel}, proposed by ${sidecar.proposedBy}:`);
        printDefinition(sidecar.change.definition);
      } else if (sidecar.change.kind === 'remove-member')
        console.log(`removes ${sidecar.change.org} from channel ${sidecar.channel}, proposed by ${sidecar.proposedBy}`);
      else console.log(readFileSync(sidecarPath(line.proposal), 'utf8').trim());
      if (inspected.consenterChange !== undefined) console.log(`ordering: ${inspected.consenterChange}`);
      console.log(
        `signatures: ${signers.map((s) => `${s.mspId}${s.isAdmin ? '' : ' (not counted)'}`).join(', ') || 'none'}; ` +
          counts.map((count) => `${count.signed.length} of the ${count.needed} needed (${count.policy}); `).join('') +
          `channel config is block ${current.blockNumber}, proposal based on ${sidecar.baseConfigBlock}`,
      );
      return;
    }
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof NetworkError) console.error(`\n✖ ${error.code}: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
