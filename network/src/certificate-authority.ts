import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { FabricBinaries } from './binaries';
import { run, type RunResult } from './command';
import { NetworkError } from './errors';
import type { IdentityPaths, NetworkLayout } from './layout';
import { address } from './layout';
import { waitForListening, type ProcessSupervisor } from './processes';
import type { RevocationReason } from './revocation-reasons';
import type { OrgSpec } from './topology';

/** Identity types Fabric CA knows; they become the certificate's OU and so its NodeOU role. */
export type IdentityType = 'peer' | 'orderer' | 'admin' | 'client';

export interface RegistrationRequest {
  readonly name: string;
  readonly type: IdentityType;
  /** Attributes put into the enrollment certificate (`name=value:ecert`). */
  readonly attributes?: Readonly<Record<string, string>>;
  /**
   * Enrollments the identity's owner makes itself with the returned secret (an app: 1), beyond the
   * ones {@link OrgCertificateAuthority.issue} makes; the CA refuses any further one. Default 0.
   */
  readonly ownerEnrollments?: number;
}

/** The bootstrap identity of every org's CA, the one that registers all others. */
export const REGISTRAR = 'registrar';

/** The file each Fabric CA command reads its configuration from, in its home directory. */
const SERVER_CONFIG = 'fabric-ca-server-config.yaml';
const CLIENT_CONFIG = 'fabric-ca-client-config.yaml';

/**
 * The `--id.maxenrollments` an identity is registered with: exactly the enrollments the design
 * makes with its secret — its signing certificate, its TLS certificate if it has one, and those its
 * owner makes itself — so a copy of the secret found later enrolls nothing.
 */
export function enrollmentsNeeded(withTls: boolean, ownerEnrollments = 0): number {
  if (!Number.isInteger(ownerEnrollments) || ownerEnrollments < 0)
    throw new NetworkError('INVALID_CONFIG', `ownerEnrollments must be a whole number ≥ 0, got ${ownerEnrollments}`);
  return 1 + (withTls ? 1 : 0) + ownerEnrollments;
}

/**
 * The CA configuration `fabric-ca-server init` generated (with `placeholder` as the bootstrap
 * identity's password), with the real registrar secret in its place. The text is otherwise kept
 * byte for byte; the result is checked to name exactly that secret for the registrar.
 */
export function withRegistrarSecret(template: string, placeholder: string, secret: string): string {
  const occurrences = template.split(placeholder).length - 1;
  if (occurrences !== 1)
    throw new NetworkError(
      'COMMAND_FAILED',
      `the CA's generated configuration names the placeholder ${occurrences} times, expected once`,
    );
  const config = template.replace(placeholder, () => secret);
  if (registrarPassword(config) !== secret)
    throw new NetworkError('COMMAND_FAILED', `the CA's generated configuration holds no '${REGISTRAR}' identity`);
  return config;
}

/** The registrar's password in a fabric-ca-server configuration (`registry.identities`), if any. */
export function registrarPassword(config: string): string | undefined {
  const identities: unknown = (parse(config) as { registry?: { identities?: unknown } } | null)?.registry?.identities;
  if (!Array.isArray(identities)) return undefined;
  const registrar: unknown = identities.find(
    (identity: unknown) =>
      typeof identity === 'object' && identity !== null && 'name' in identity && identity.name === REGISTRAR,
  );
  if (typeof registrar !== 'object' || registrar === null || !('pass' in registrar)) return undefined;
  return String(registrar.pass);
}

/**
 * One organisation's Fabric CA: a fabric-ca-server process that issues the org's enrollment and
 * TLS certificates, and the registrar identity used to register the org's nodes and users.
 */
export class OrgCertificateAuthority {
  constructor(
    private readonly layout: NetworkLayout,
    private readonly binaries: FabricBinaries,
    private readonly supervisor: ProcessSupervisor,
    readonly org: OrgSpec,
  ) {}

  private get caName(): string {
    return `ca-${this.org.slug}`;
  }

  private get url(): string {
    return `https://${address(this.layout.caEndpoint(this.org))}`;
  }

  /** The bootstrap (registrar) secret: generated once, readable by the owner only. */
  private registrarSecret(): string {
    const file = this.layout.caRegistrarSecret(this.org);
    if (!existsSync(file)) {
      privateDirectory(dirname(file));
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600, flag: 'wx' });
    }
    return readFileSync(file, 'utf8');
  }

  /**
   * Gives the CA its configuration file with the registrar identity in `registry.identities`, so
   * that no secret is on fabric-ca-server's command line (`-b user:secret`), which every local user
   * can read in /proc/<pid>/cmdline. The file is the one the CA itself would generate (its template
   * is internal to fabric-ca-server): `init` writes it in a scratch home with a random placeholder as
   * the password, the real secret replaces the placeholder here, and the scratch CA is deleted. The
   * file is 0600 in a 0700 home; a file an earlier version generated (0644, secret inside) is narrowed.
   */
  private async writeServerConfig(): Promise<void> {
    const home = this.layout.caHome(this.org);
    privateDirectory(dirname(home));
    privateDirectory(home);
    const config = join(home, SERVER_CONFIG);
    if (!existsSync(config)) {
      const scratch = join(dirname(home), 'config-template');
      const placeholder = `placeholder-${randomBytes(8).toString('hex')}`;
      rmSync(scratch, { recursive: true, force: true });
      try {
        await run(this.binaries.fabricCaServer, ['init', '--home', scratch, '--boot', `${REGISTRAR}:${placeholder}`]);
        const template = readFileSync(join(scratch, SERVER_CONFIG), 'utf8');
        writeFileSync(config, withRegistrarSecret(template, placeholder, this.registrarSecret()), {
          mode: 0o600,
          flag: 'wx',
        });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }
    chmodSync(config, 0o600);
  }

  async start(): Promise<void> {
    const name = this.layout.caProcess(this.org);
    const home = this.layout.caHome(this.org);
    await this.writeServerConfig();
    const endpoint = this.layout.caEndpoint(this.org);
    this.supervisor.start({
      name,
      command: this.binaries.fabricCaServer,
      args: [
        'start',
        '--home',
        home,
        '--address',
        endpoint.host,
        '--port',
        String(endpoint.port),
        '--ca.name',
        this.caName,
        '--csr.cn',
        `ca.${this.org.slug}`,
        '--csr.hosts',
        this.layout.tlsHostNames(this.org).join(','),
        '--tls.enabled',
      ],
      env: {
        ...process.env,
        FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: address(this.layout.caOperations(this.org)),
        FABRIC_CA_SERVER_METRICS_PROVIDER: 'prometheus',
      },
      logFile: this.layout.logFile(name),
    });
    await waitForListening(this.supervisor, name, endpoint);
  }

  /**
   * Runs fabric-ca-client against this CA with `home` as its home. A secret the call needs (an
   * enrollment URL with credentials, a registration's secret) goes in `secretConfig`, never in the
   * arguments: it is written as the client's configuration file, 0600, for this call only, and
   * removed afterwards whatever the outcome. The client reads the enrollment secret only from the
   * URL, and takes the URL from its configuration file when `--url` is not given.
   */
  private async client(args: string[], home: string, secretConfig?: Record<string, unknown>): Promise<RunResult> {
    const command = [...args, '--caname', this.caName, '--tls.certfiles', this.layout.caCert(this.org), '--home', home];
    if (secretConfig === undefined) return run(this.binaries.fabricCaClient, command);
    const config = join(home, CLIENT_CONFIG);
    mkdirSync(home, { recursive: true });
    // Never write a secret into a file whose mode someone else chose (e.g. one the client made, 0755).
    rmSync(config, { force: true });
    writeFileSync(config, stringify(secretConfig), { mode: 0o600, flag: 'wx' });
    try {
      return await run(this.binaries.fabricCaClient, command);
    } finally {
      rmSync(config, { force: true });
    }
  }

  /** The CA's URL with an identity's enrollment credentials: what fabric-ca-client enrolls with. */
  private credentialsUrl(name: string, secret: string): string {
    const { host, port } = this.layout.caEndpoint(this.org);
    return `https://${encodeURIComponent(name)}:${encodeURIComponent(secret)}@${host}:${port}`;
  }

  async enrollRegistrar(): Promise<void> {
    const home = this.layout.caClientHome(this.org);
    if (existsSync(join(home, 'msp', 'signcerts', 'cert.pem'))) return;
    await this.client(['enroll'], home, { url: this.credentialsUrl(REGISTRAR, this.registrarSecret()) });
  }

  /**
   * Registers an identity for exactly the enrollments it needs ({@link enrollmentsNeeded}) and
   * enrolls its signing certificate and, if asked, a TLS certificate. Returns the enrollment
   * secret, good for the `ownerEnrollments` its owner makes itself (the apps) and nothing more.
   */
  async issue(request: RegistrationRequest, paths: IdentityPaths, withTls: boolean): Promise<string> {
    const secret = randomBytes(18).toString('hex');
    const registerArgs = [
      'register',
      '--url',
      this.url,
      '--id.name',
      request.name,
      '--id.type',
      request.type,
      '--id.maxenrollments',
      String(enrollmentsNeeded(withTls, request.ownerEnrollments)),
    ];
    const attributes = Object.entries(request.attributes ?? {});
    if (attributes.length > 0) {
      registerArgs.push('--id.attrs', attributes.map(([key, value]) => `${key}=${value}:ecert`).join(','));
    }
    await this.client(registerArgs, this.layout.caClientHome(this.org), { id: { secret } });

    const enrollConfig = { url: this.credentialsUrl(request.name, secret) };
    const home = join(paths.msp, '..');
    await this.client(
      [
        'enroll',
        '--mspdir',
        paths.msp,
        '--csr.hosts',
        this.layout.tlsHostNames(this.org).join(','),
        '--csr.names',
        `O=${this.org.name}`,
      ],
      home,
      enrollConfig,
    );
    normaliseMsp(paths.msp);
    if (withTls) {
      const staging = join(home, 'tls-enroll');
      await this.client(
        [
          'enroll',
          '--mspdir',
          staging,
          '--enrollment.profile',
          'tls',
          '--csr.hosts',
          this.layout.tlsHostNames(this.org).join(','),
          '--csr.names',
          `O=${this.org.name}`,
        ],
        home,
        enrollConfig,
      );
      mkdirSync(join(paths.tls.cert, '..'), { recursive: true });
      copyFileSync(join(staging, 'signcerts', 'cert.pem'), paths.tls.cert);
      copyFileSync(onlyFile(join(staging, 'keystore')), paths.tls.key);
      copyFileSync(onlyFile(join(staging, 'tlscacerts')), paths.tls.ca);
      rmSync(staging, { recursive: true, force: true });
    }
    return secret;
  }

  /**
   * Whether the CA has registered `enrollmentId` (asked as the registrar): revoking a name the CA
   * does not know should say so, not fail somewhere inside fabric-ca-client.
   */
  async isRegistered(enrollmentId: string): Promise<boolean> {
    await this.enrollRegistrar();
    try {
      await this.client(
        ['identity', 'list', '--id', enrollmentId, '--url', this.url],
        this.layout.caClientHome(this.org),
      );
      return true;
    } catch (error) {
      if (error instanceof NetworkError && /not found|does not exist|Failed to get User/i.test(error.message))
        return false;
      throw error;
    }
  }

  /**
   * Revokes every certificate of `enrollmentId` (as the registrar, which holds `hf.Revoker`); the
   * identity can enroll no more. Resolves false when it was already revoked (nothing left to revoke).
   */
  async revoke(enrollmentId: string, reason: RevocationReason): Promise<boolean> {
    await this.enrollRegistrar();
    try {
      await this.client(
        ['revoke', '--revoke.name', enrollmentId, '--revoke.reason', reason, '--url', this.url],
        this.layout.caClientHome(this.org),
      );
      return true;
    } catch (error) {
      if (error instanceof NetworkError && /already revoked/i.test(error.message)) return false;
      throw error;
    }
  }

  /**
   * Generates the CA's current certificate revocation list (as the registrar, which holds
   * `hf.GenCRL`) and returns it as PEM: every certificate this CA has revoked and that has not expired.
   */
  async generateCrl(): Promise<string> {
    await this.enrollRegistrar();
    const home = this.layout.caClientHome(this.org);
    const file = join(home, 'msp', 'crls', 'crl.pem');
    rmSync(file, { force: true });
    await this.client(['gencrl', '--url', this.url], home);
    return readFileSync(file, 'utf8');
  }

  /** The CA's URL and name, as an application needs them to enroll on its own. */
  get enrollmentEndpoint(): { url: string; caName: string } {
    return { url: this.url, caName: this.caName };
  }
}

/** Creates `dir` if needed and makes it owner-only (0700), whatever mode it had. */
function privateDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function onlyFile(dir: string): string {
  const files = readdirSync(dir);
  if (files.length !== 1 || files[0] === undefined)
    throw new Error(`expected exactly one file in ${dir}, found ${files.length}`);
  return join(dir, files[0]);
}

/**
 * Gives an MSP folder a fixed CA file name and the NodeOU configuration, so identities are
 * classified (client, peer, admin, orderer) by the OU the CA put in their certificate.
 */
export function normaliseMsp(mspDir: string): void {
  const cacerts = join(mspDir, 'cacerts');
  const current = onlyFile(cacerts);
  if (!current.endsWith('/ca.pem')) renameSync(current, join(cacerts, 'ca.pem'));
  writeFileSync(join(mspDir, 'config.yaml'), nodeOuConfig('cacerts/ca.pem'));
}

export function nodeOuConfig(caFile: string): string {
  const ou = (name: string): string => `  ${name}:\n    Certificate: ${caFile}\n`;
  const identifiers = [
    ['ClientOUIdentifier', 'client'],
    ['PeerOUIdentifier', 'peer'],
    ['AdminOUIdentifier', 'admin'],
    ['OrdererOUIdentifier', 'orderer'],
  ];
  return (
    'NodeOUs:\n  Enable: true\n' +
    identifiers.map(([key, value]) => `${ou(key ?? '')}    OrganizationalUnitIdentifier: ${value}\n`).join('')
  );
}
