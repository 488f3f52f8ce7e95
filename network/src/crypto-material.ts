import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeOuConfig, type OrgCertificateAuthority } from './certificate-authority';
import type { NetworkLayout } from './layout';
import { log } from './progress';
import { APP_ROLES, ORDERER_ORG, type OrgSpec } from './topology';

/**
 * Issues every identity an org needs from its own CA, once: nodes with TLS certificates, the org
 * admin, and one application user per role carrying the `role` attribute the chaincode checks.
 * A marker file makes a second `up` reuse the material instead of registering again.
 */
export async function issueOrgCrypto(layout: NetworkLayout, ca: OrgCertificateAuthority): Promise<void> {
  const org = ca.org;
  const marker = join(layout.orgDir(org), 'issued.json');
  if (existsSync(marker)) return;
  log(`issuing ${org.name} identities from ${org.name}'s CA`);
  await ca.enrollRegistrar();
  writeChannelMsp(layout, org);

  if (org.mspId === ORDERER_ORG.mspId) {
    for (const i of layout.ordererIndexes()) {
      await ca.issue({ name: `orderer${i}`, type: 'orderer' }, layout.ordererIdentity(i), true);
    }
    await ca.issue({ name: 'Admin', type: 'admin' }, layout.adminIdentity(org), true);
  } else {
    await ca.issue({ name: 'peer0', type: 'peer' }, layout.peerIdentity(org), true);
    // With BFT ordering the member runs its own orderer node, and its admin (with a TLS client
    // certificate from the same CA, which that orderer's admin endpoint requires) joins it to channels.
    const ownOrderer = layout.memberOrdererIndex(org);
    if (ownOrderer !== undefined) {
      await ca.issue({ name: 'orderer0', type: 'orderer' }, layout.ordererIdentity(ownOrderer), true);
    }
    await ca.issue(
      { name: 'Admin', type: 'admin', attributes: { role: 'admin' } },
      layout.adminIdentity(org),
      ownOrderer !== undefined,
    );
    await ca.issue({ name: 'chaincode', type: 'client' }, layout.chaincodeServerIdentity(org), true);
    // Application users: enrolled here for operator tooling (tests, benchmarks, the proof verifier),
    // and enrolled again by the org's app into its own wallet on first start, with these secrets —
    // once: the CA refuses a third enrollment, and the app deletes each secret once it has used it.
    const secrets: Record<string, { enrollmentId: string; secret: string }> = {};
    for (const role of APP_ROLES) {
      const enrollmentId = `app-${role}`;
      const secret = await ca.issue(
        { name: enrollmentId, type: 'client', attributes: { role }, ownerEnrollments: 1 },
        layout.appUserIdentity(org, role),
        false,
      );
      secrets[role] = { enrollmentId, secret };
    }
    writeFileSync(layout.appEnrollmentSecrets(org), JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  writeFileSync(marker, JSON.stringify({ org: org.mspId, issuedAt: new Date().toISOString() }, null, 2));
}

/** The org's MSP as channel members see it: its CA (for identities and TLS) and NodeOU rules. */
function writeChannelMsp(layout: NetworkLayout, org: OrgSpec): void {
  const msp = layout.orgMsp(org);
  for (const sub of ['cacerts', 'tlscacerts']) {
    mkdirSync(join(msp, sub), { recursive: true });
    copyFileSync(layout.caCert(org), join(msp, sub, 'ca.pem'));
  }
  writeFileSync(join(msp, 'config.yaml'), nodeOuConfig('cacerts/ca.pem'));
}
