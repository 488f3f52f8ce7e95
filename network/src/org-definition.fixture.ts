/**
 * Test fixtures for org definitions, shared by the unit tests that need a real one: certificates made
 * by openssl, and an org's channel MSP exported as the `export` command does. Not used at run time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeOuConfig } from './certificate-authority';
import { NetworkLayout } from './layout';
import { exportOrgDefinition, type OrgDefinition } from './org-definition';
import type { OrgSpec } from './topology';

/** A fresh P-256 certificate from openssl: a self-signed CA unless `ca` is false; its key stays in `dir`. */
export function selfSignedCertificate(dir: string, name: string, ca = true): string {
  const keyFile = join(dir, `${name}.key.pem`);
  const certFile = join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-addext',
      `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(certFile, 'utf8');
}

/** `org`'s channel MSP in a network directory `dir` (one fresh root for its CA and TLS CA), exported. */
export function exportedDefinitionFixture(dir: string, org: OrgSpec): { definition: OrgDefinition; root: string } {
  const layout = new NetworkLayout({ dir, basePort: 20000, orderers: 3, purgeIntervalBlocks: 1 });
  const root = selfSignedCertificate(dir, `ca.${org.slug}`);
  const msp = layout.orgMsp(org);
  for (const sub of ['cacerts', 'tlscacerts']) {
    mkdirSync(join(msp, sub), { recursive: true });
    writeFileSync(join(msp, sub, 'ca.pem'), root);
  }
  writeFileSync(join(msp, 'config.yaml'), nodeOuConfig('cacerts/ca.pem'));
  return { definition: exportOrgDefinition(layout, org), root };
}
