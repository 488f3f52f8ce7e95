import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES } from '../auth/role';
import type { GatewayProfile, IdentityFiles } from '../config';
import { enrollWithFabricCa, EnrollmentError, type EnrolledIdentity, type EnrollmentRequest } from './fabric-ca-enrollment';

/** Enrollment secrets the network hands the app: `{ "<role>": { "enrollmentId", "secret" } }`. */
type EnrollmentSecrets = Record<string, { enrollmentId: string; secret: string }>;

/**
 * The app's own identities, one per role, kept in a wallet directory (0700, files 0600). On first
 * start each is enrolled from the org's Fabric CA with the secret the network registered it with;
 * later starts reuse the wallet. Returns the profile with its identities pointing into the wallet.
 * Profiles without an `enrollment` section (e.g. written by hand) keep their identities as given.
 */
export async function walletIdentities(
  profile: GatewayProfile,
  walletDir: string,
  enroll: (request: EnrollmentRequest) => Promise<EnrolledIdentity> = enrollWithFabricCa,
): Promise<{ profile: GatewayProfile; enrolled: string[] }> {
  const enrollment = profile.enrollment;
  if (enrollment === undefined) return { profile, enrolled: [] };
  mkdirSync(walletDir, { recursive: true, mode: 0o700 });
  chmodSync(walletDir, 0o700);
  const identities: Record<string, IdentityFiles> = {};
  const enrolled: string[] = [];
  let secrets: EnrollmentSecrets | undefined;
  for (const role of ROLES) {
    const dir = join(walletDir, role);
    const certificate = join(dir, 'cert.pem');
    const keyDir = join(dir, 'key');
    if (!existsSync(certificate) || !existsSync(join(keyDir, 'key.pem'))) {
      secrets ??= readSecrets(enrollment.secretsFile);
      const user = secrets[role];
      if (user === undefined) throw new EnrollmentError(`${enrollment.secretsFile} holds no enrollment secret for role '${role}'`);
      const identity = await enroll({
        caUrl: enrollment.caUrl,
        caName: enrollment.caName,
        caTlsRoot: readFileSync(enrollment.caTlsCert, 'utf8'),
        enrollmentId: user.enrollmentId,
        secret: user.secret,
      });
      mkdirSync(keyDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(keyDir, 'key.pem'), identity.privateKeyPem, { mode: 0o600 });
      writeFileSync(certificate, identity.certificatePem, { mode: 0o600 });
      enrolled.push(role);
    }
    identities[role] = { certificate, keyDir };
  }
  return { profile: { ...profile, identities }, enrolled };
}

function readSecrets(file: string): EnrollmentSecrets {
  if (!existsSync(file)) throw new EnrollmentError(`no enrollment secrets at ${file}: the wallet is empty and the app cannot enroll`);
  return JSON.parse(readFileSync(file, 'utf8')) as EnrollmentSecrets;
}
