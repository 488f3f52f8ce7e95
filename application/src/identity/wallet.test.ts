import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnrollmentSettings, GatewayProfile } from '../config';
import { EnrollmentError, type EnrollmentRequest } from './fabric-ca-enrollment';
import { enrolledWalletIdentities, walletIdentities } from './wallet';

const ROLES = ['recorder', 'consent-manager', 'auditor', 'admin'];

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function setUp(): {
  profile: GatewayProfile & { enrollment: EnrollmentSettings };
  wallet: string;
  calls: EnrollmentRequest[];
  enroll: (request: EnrollmentRequest) => Promise<{ certificatePem: string; privateKeyPem: string }>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'aal-wallet-'));
  scratchDirs.push(dir);
  const secretsFile = join(dir, 'secrets.json');
  writeFileSync(
    secretsFile,
    JSON.stringify(
      Object.fromEntries(ROLES.map((role) => [role, { enrollmentId: `app-${role}`, secret: `s3cret-${role}` }])),
    ),
  );
  writeFileSync(join(dir, 'ca.pem'), 'CA ROOT');
  const profile = {
    org: 'HospitalA',
    mspId: 'HospitalAMSP',
    peerEndpoint: '127.0.0.1:1',
    peerTlsRootCert: join(dir, 'ca.pem'),
    channels: ['hospital-a'],
    chaincode: 'audit',
    identities: Object.fromEntries(
      ROLES.map((role) => [role, { certificate: '/network/enrolled.pem', keyDir: '/network/keystore' }]),
    ),
    enrollment: { caUrl: 'https://127.0.0.1:2', caName: 'ca-hospital-a', caTlsCert: join(dir, 'ca.pem'), secretsFile },
  } satisfies GatewayProfile;
  const calls: EnrollmentRequest[] = [];
  const enroll = (request: EnrollmentRequest): Promise<{ certificatePem: string; privateKeyPem: string }> => {
    calls.push(request);
    return Promise.resolve({
      certificatePem: `CERT ${request.enrollmentId}`,
      privateKeyPem: `KEY ${request.enrollmentId}`,
    });
  };
  return { profile, wallet: join(dir, 'wallet'), calls, enroll };
}

describe('walletIdentities', () => {
  it('enrolls every role once into an owner-only wallet and points the profile there', async () => {
    const { profile, wallet, calls, enroll } = setUp();
    const first = await walletIdentities(profile, wallet, enroll);
    expect(first.enrolled).toEqual(ROLES);
    expect(calls.map((call) => [call.enrollmentId, call.secret, call.caName, call.caTlsRoot])).toEqual(
      ROLES.map((role) => [`app-${role}`, `s3cret-${role}`, 'ca-hospital-a', 'CA ROOT']),
    );
    expect(statSync(wallet).mode & 0o777).toBe(0o700);
    for (const role of ROLES) {
      const files = first.profile.identities[role];
      expect(files).toEqual({ certificate: join(wallet, role, 'cert.pem'), keyDir: join(wallet, role, 'key') });
      expect(readFileSync(join(wallet, role, 'key', 'key.pem'), 'utf8')).toBe(`KEY app-${role}`);
      expect(statSync(join(wallet, role, 'key', 'key.pem')).mode & 0o777).toBe(0o600);
      expect(statSync(join(wallet, role, 'cert.pem')).mode & 0o777).toBe(0o600);
    }

    const second = await walletIdentities(profile, wallet, enroll);
    expect(second.enrolled).toEqual([]);
    expect(calls).toHaveLength(ROLES.length);
    expect(second.profile.identities).toEqual(first.profile.identities);
  });

  it('deletes the hand-over file once every secret in it is used', async () => {
    const { profile, wallet, enroll } = setUp();
    await walletIdentities(profile, wallet, enroll);
    expect(existsSync(profile.enrollment.secretsFile)).toBe(false);
  });

  it('keeps only the unused secrets when an enrollment fails part-way, and uses them on the next start', async () => {
    const { profile, wallet, calls, enroll } = setUp();
    const failing = (request: EnrollmentRequest): Promise<{ certificatePem: string; privateKeyPem: string }> =>
      request.enrollmentId === 'app-auditor' ? Promise.reject(new EnrollmentError('CA down')) : enroll(request);
    await expect(walletIdentities(profile, wallet, failing)).rejects.toThrow('CA down');
    const left = JSON.parse(readFileSync(profile.enrollment.secretsFile, 'utf8')) as Record<string, unknown>;
    expect(left).toEqual({
      auditor: { enrollmentId: 'app-auditor', secret: 's3cret-auditor' },
      admin: { enrollmentId: 'app-admin', secret: 's3cret-admin' },
    });
    expect(statSync(profile.enrollment.secretsFile).mode & 0o777).toBe(0o600);

    const resumed = await walletIdentities(profile, wallet, enroll);
    expect(resumed.enrolled).toEqual(['auditor', 'admin']);
    expect(calls.map((call) => call.enrollmentId)).toEqual([
      'app-recorder',
      'app-consent-manager',
      'app-auditor',
      'app-admin',
    ]);
    expect(existsSync(profile.enrollment.secretsFile)).toBe(false);
  });

  it('deletes a hand-over file left beside a complete wallet without enrolling again', async () => {
    const { profile, wallet, calls, enroll } = setUp();
    const original = readFileSync(profile.enrollment.secretsFile, 'utf8');
    await walletIdentities(profile, wallet, enroll);
    writeFileSync(profile.enrollment.secretsFile, original, { mode: 0o600 });
    expect((await walletIdentities(profile, wallet, enroll)).enrolled).toEqual([]);
    expect(calls).toHaveLength(ROLES.length);
    expect(existsSync(profile.enrollment.secretsFile)).toBe(false);
  });

  it('says which role has no secret left when its wallet entry is missing', async () => {
    const { profile, wallet, enroll } = setUp();
    writeFileSync(
      profile.enrollment.secretsFile,
      JSON.stringify({ recorder: { enrollmentId: 'app-recorder', secret: 's3cret-recorder' } }),
    );
    await expect(walletIdentities(profile, wallet, enroll)).rejects.toThrow(
      new EnrollmentError(
        `${profile.enrollment.secretsFile} holds no enrollment secret for role 'consent-manager' (each secret enrolls ` +
          'once; restore the wallet, or have the org CA registrar issue a new one: docs/operations.md)',
      ),
    );
  });

  it('keeps the identities of a profile without enrollment settings', async () => {
    const { profile, wallet, calls, enroll } = setUp();
    const { enrollment: _omitted, ...withoutEnrollment } = profile;
    expect(await walletIdentities(withoutEnrollment, wallet, enroll)).toEqual({
      profile: withoutEnrollment,
      enrolled: [],
    });
    expect(calls).toEqual([]);
  });

  it('says clearly when the wallet is empty and there are no secrets to enroll with', async () => {
    const { profile, wallet, enroll } = setUp();
    const missing = { ...profile, enrollment: { ...profile.enrollment, secretsFile: '/nonexistent/secrets.json' } };
    await expect(walletIdentities(missing, wallet, enroll)).rejects.toThrow(
      new EnrollmentError(
        'no enrollment secrets at /nonexistent/secrets.json: the wallet is empty and the app cannot enroll',
      ),
    );
  });
});

describe('enrolledWalletIdentities', () => {
  it('points the profile at the identities the app enrolled', async () => {
    const { profile, wallet, enroll } = setUp();
    const enrolled = await walletIdentities(profile, wallet, enroll);
    expect(enrolledWalletIdentities(profile, wallet)).toEqual(enrolled.profile);
  });

  it('refuses a wallet the app has not enrolled yet, naming it, and spends no secret', () => {
    const { profile, wallet } = setUp();
    const secrets = readFileSync(profile.enrollment.secretsFile, 'utf8');
    expect(() => enrolledWalletIdentities(profile, wallet)).toThrow(EnrollmentError);
    expect(() => enrolledWalletIdentities(profile, wallet)).toThrow(
      `the wallet ${wallet} holds no 'recorder' identity yet`,
    );
    expect(readFileSync(profile.enrollment.secretsFile, 'utf8')).toBe(secrets);
  });

  it('reads only the roles it is asked for', async () => {
    const { profile, wallet, enroll } = setUp();
    await walletIdentities(profile, wallet, enroll);
    expect(Object.keys(enrolledWalletIdentities(profile, wallet, ['recorder', 'admin']).identities)).toEqual([
      'recorder',
      'admin',
    ]);
  });

  it('keeps the identities of a profile without enrollment as given', () => {
    const { profile, wallet } = setUp();
    const { enrollment: _enrollment, ...handWritten } = profile;
    expect(enrolledWalletIdentities(handWritten, wallet)).toBe(handWritten);
  });
});
