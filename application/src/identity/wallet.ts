import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, type Role } from '@aal/ledger-contract';
import type { GatewayProfile, IdentityFiles } from '../config';
import {
  enrollWithFabricCa,
  EnrollmentError,
  type EnrolledIdentity,
  type EnrollmentRequest,
} from './fabric-ca-enrollment';

/** Enrollment secrets the network hands the app: `{ "<role>": { "enrollmentId", "secret" } }`. */
type EnrollmentSecrets = Record<string, { enrollmentId: string; secret: string }>;

/**
 * The app's own identities, one per role, kept in a wallet directory (0700, files 0600). On first
 * start each is enrolled from the org's Fabric CA with the secret the network registered it with;
 * later starts reuse the wallet. Returns the profile with its identities pointing into the wallet.
 * Profiles without an `enrollment` section (e.g. written by hand) keep their identities as given.
 *
 * A secret is good for one enrollment by the app (the CA refuses more): once a role's key and
 * certificate are in the wallet, its entry leaves the hand-over file, and the file goes when no
 * entry is left, so no copy of a secret outlives its use (a file left by an earlier version, whose
 * roles are all in the wallet already, goes too).
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
      if (user === undefined)
        throw new EnrollmentError(
          `${enrollment.secretsFile} holds no enrollment secret for role '${role}' (each secret enrolls once; ` +
            'restore the wallet, or have the org CA registrar issue a new one: docs/operations.md)',
        );
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
      secrets = without(secrets, [role]);
      writeSecrets(enrollment.secretsFile, secrets);
    }
    identities[role] = { certificate, keyDir };
  }
  // Every role is in the wallet now: nothing in the hand-over file is needed any more.
  if (existsSync(enrollment.secretsFile)) {
    writeSecrets(enrollment.secretsFile, without(readSecrets(enrollment.secretsFile), ROLES));
  }
  return { profile: { ...profile, identities }, enrolled };
}

/**
 * The identities the org app enrolled into `walletDir`, for a second process of the org (the AI
 * gateway) that signs with them but never enrolls: each secret is good for one enrollment, and two
 * processes enrolling at once would spend it twice. Profiles without an `enrollment` section keep
 * their identities as given. Only `roles` (default: all) are read: the others are not its to use.
 * @throws EnrollmentError when one of `roles`' key or certificate is not in the wallet yet
 */
export function enrolledWalletIdentities(
  profile: GatewayProfile,
  walletDir: string,
  roles: readonly Role[] = ROLES,
): GatewayProfile {
  if (profile.enrollment === undefined) return profile;
  const identities: Record<string, IdentityFiles> = {};
  for (const role of roles) {
    const dir = join(walletDir, role);
    const certificate = join(dir, 'cert.pem');
    const keyDir = join(dir, 'key');
    if (!existsSync(certificate) || !existsSync(join(keyDir, 'key.pem')))
      throw new EnrollmentError(
        `the wallet ${walletDir} holds no '${role}' identity yet: the org's REST app enrolls it on its first start, ` +
          'so start the app first',
      );
    identities[role] = { certificate, keyDir };
  }
  return { ...profile, identities };
}

function readSecrets(file: string): EnrollmentSecrets {
  if (!existsSync(file))
    throw new EnrollmentError(`no enrollment secrets at ${file}: the wallet is empty and the app cannot enroll`);
  return JSON.parse(readFileSync(file, 'utf8')) as EnrollmentSecrets;
}

function without(secrets: EnrollmentSecrets, roles: readonly string[]): EnrollmentSecrets {
  return Object.fromEntries(Object.entries(secrets).filter(([role]) => !roles.includes(role)));
}

/** Rewrites the hand-over file with what is left (atomically, 0600), or deletes it when nothing is. */
function writeSecrets(file: string, secrets: EnrollmentSecrets): void {
  if (Object.keys(secrets).length === 0) {
    rmSync(file, { force: true });
    return;
  }
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
}
