/**
 * `npm run org -- <command>`: one member organisation's admin operations on the channels: revoking a
 * user's certificate, and signing and submitting channel configuration updates; exporting its public
 * definition and checking another member's; and its processes' service units. Each command acts as
 * the named org's admin (its local MSP) against that org's own peer. Settings come from the same
 * AAL_* environment variables as `npm run network` (AAL_NETWORK_DIR, AAL_BASE_PORT).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBinaries } from './binaries';
import { revokeCertificate } from './certificate-revocation';
import { ChannelConfigUpdates } from './channel-config-update';
import { countAdminSignatures } from './config-update-policy';
import { sidecarPath } from './config-update-proposal';
import { memberMspIds } from './channel-config-json';
import { NetworkError } from './errors';
import { address, NetworkLayout } from './layout';
import { certificateFingerprint, exportOrgDefinition, verifyOrgDefinition, type OrgDefinition } from './org-definition';
import { optionsFromEnv } from './network';
import { parseOrgCommandLine, type OrgCommandLine } from './org-cli-options';
import { ProcessSupervisor } from './processes';
import { REVOCATION_REASONS } from './revocation-reasons';
import { orgTargetName, writeOrgServiceUnits } from './service-units';

const USAGE = `usage: npm run org -- <command>
  revoke --org <slug> --user <enrollment id> [--reason <reason>] [--sign-as <slug,…>] [--out <dir>]
        the org's CA revokes the user's certificates; its CRL goes into the org's MSP definition on every
        channel the org is a member of, as one configuration update proposal per channel (signed by the org,
        written to --out, default <network dir>/proposals). With --sign-as (dev network: all admins are local)
        those orgs' admins sign too and the update is submitted; without, hand the files to the other admins.
        reasons: ${REVOCATION_REASONS.join(', ')}
  sign --org <slug> --proposal <file>     the org's admin signs the proposal in place (again: no change)
  submit --org <slug> --proposal <file>   sends it once the channel's Admins policy (MAJORITY of the channel's
                                          orgs' admins, the sender's included) is met; else refuses, sending nothing
  inspect --org <slug> --proposal <file>  shows what the proposal changes and whose signatures count
  export --org <slug> [--out <file>]       the org's public definition (root and TLS root certificates, NodeOUs,
                                          anchor peers; no key) for the consortium, with the fingerprints to confirm
  verify-definition --file <file>         checks a definition received from another member; prints its fingerprints
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
  console.log(`  ${definition.digest}`);
}

async function main(argv: string[]): Promise<void> {
  let line: OrgCommandLine;
  try {
    line = parseOrgCommandLine(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (line.command === 'help') {
    console.log(USAGE);
    return;
  }
  const options = optionsFromEnv();
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
  const binaries = await ensureBinaries();
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
    case 'sign':
      await new ChannelConfigUpdates(layout, binaries).sign(line.org, line.proposal);
      return;
    case 'submit': {
      const { configBlock, count } = await new ChannelConfigUpdates(layout, binaries).submit(line.org, line.proposal);
      console.log(`submitted: config block ${configBlock}, signed by ${count.signed.join(', ')}`);
      return;
    }
    case 'inspect': {
      const updates = new ChannelConfigUpdates(layout, binaries);
      const { sidecar, signers, current } = await updates.inspect(line.org, line.proposal);
      const count = countAdminSignatures(sidecar.channel, memberMspIds(current.config), signers);
      console.log(readFileSync(sidecarPath(line.proposal), 'utf8').trim());
      console.log(
        `signatures: ${signers.map((s) => `${s.mspId}${s.isAdmin ? '' : ' (not counted)'}`).join(', ') || 'none'}; ` +
          `${count.signed.length} of the ${count.needed} needed (${count.policy}); ` +
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
