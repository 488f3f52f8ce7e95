/**
 * Test fixtures for org definitions, shared by the unit tests that need a real one: certificates made
 * by openssl, and an org's channel MSP exported as the `export` command does. Not used at run time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nodeOuConfig } from './certificate-authority';
import { NetworkLayout } from './layout';
import { exportOrgDefinition, type OrgDefinition } from './org-definition';
import type { OrgSpec } from './topology';

/**
 * A fresh P-256 certificate `<dir>/<name>.pem` from openssl with `subject`, its key beside it
 * (`<name>.key.pem`): self-signed, or signed by the fixture CA `issuer` of the same `dir`.
 */
function opensslCertificate(dir: string, name: string, subject: string, ca: boolean, issuer?: string): string {
  const certFile = join(dir, `${name}.pem`);
  const signing =
    issuer === undefined ? [] : ['-CA', join(dir, `${issuer}.pem`), '-CAkey', join(dir, `${issuer}.key.pem`)];
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
      subject,
      ...signing,
      '-keyout',
      join(dir, `${name}.key.pem`),
      '-out',
      certFile,
      '-addext',
      `basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}`,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(certFile, 'utf8');
}

/** A fresh P-256 certificate from openssl: a self-signed CA unless `ca` is false; its key stays in `dir`. */
export function selfSignedCertificate(dir: string, name: string, ca = true): string {
  return opensslCertificate(dir, name, `/CN=${name}`, ca);
}

/**
 * A leaf certificate with `subject` issued by the fixture CA `issuer` (a {@link selfSignedCertificate}
 * of the same `dir`); its key stays in `dir`.
 */
export function issuedCertificate(dir: string, name: string, issuer: string, subject = `/CN=${name}`): string {
  return opensslCertificate(dir, name, subject, false, issuer);
}

/**
 * As {@link exportedDefinitionFixture} on a `bft` network: the org also runs an orderer node, whose
 * signing (OU=orderer) and TLS certificates its root issued.
 */
export function exportedBftDefinitionFixture(
  dir: string,
  org: OrgSpec,
): { definition: OrgDefinition; root: string; layout: NetworkLayout } {
  const layout = new NetworkLayout({ dir, basePort: 20000, orderers: 3, ordering: 'bft', purgeIntervalBlocks: 1 });
  const rootName = `ca.${org.slug}`;
  const root = selfSignedCertificate(dir, rootName);
  const msp = layout.orgMsp(org);
  for (const sub of ['cacerts', 'tlscacerts']) {
    mkdirSync(join(msp, sub), { recursive: true });
    writeFileSync(join(msp, sub, 'ca.pem'), root);
  }
  writeFileSync(join(msp, 'config.yaml'), nodeOuConfig('cacerts/ca.pem'));
  const i = layout.memberOrdererIndex(org) ?? 0;
  mkdirSync(dirname(layout.ordererSignCert(i)), { recursive: true });
  mkdirSync(dirname(layout.ordererTlsCert(i)), { recursive: true });
  writeFileSync(
    layout.ordererSignCert(i),
    issuedCertificate(dir, `orderer.${org.slug}`, rootName, `/OU=orderer/CN=orderer0`),
  );
  writeFileSync(layout.ordererTlsCert(i), issuedCertificate(dir, `orderer-tls.${org.slug}`, rootName));
  return { definition: exportOrgDefinition(layout, org), root, layout };
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
