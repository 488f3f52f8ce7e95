import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FabricBinaries } from './binaries';
import { run } from './command';
import type { IdentityPaths, NetworkLayout } from './layout';
import { address } from './layout';
import { waitForListening, type ProcessSupervisor } from './processes';
import type { OrgSpec } from './topology';

/** Identity types Fabric CA knows; they become the certificate's OU and so its NodeOU role. */
export type IdentityType = 'peer' | 'orderer' | 'admin' | 'client';

export interface RegistrationRequest {
  readonly name: string;
  readonly type: IdentityType;
  /** Attributes put into the enrollment certificate (`name=value:ecert`). */
  readonly attributes?: Readonly<Record<string, string>>;
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
    const file = join(this.layout.caHome(this.org), '..', 'registrar-secret');
    if (!existsSync(file)) {
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
    }
    return readFileSync(file, 'utf8');
  }

  async start(): Promise<void> {
    const name = this.layout.caProcess(this.org);
    const home = this.layout.caHome(this.org);
    mkdirSync(home, { recursive: true });
    const endpoint = this.layout.caEndpoint(this.org);
    this.supervisor.start({
      name,
      command: this.binaries.fabricCaServer,
      args: [
        'start',
        '--home', home,
        '--boot', `registrar:${this.registrarSecret()}`,
        '--address', endpoint.host,
        '--port', String(endpoint.port),
        '--ca.name', this.caName,
        '--csr.cn', `ca.${this.org.slug}`,
        '--csr.hosts', 'localhost,127.0.0.1',
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

  private client(args: string[], home: string): Promise<unknown> {
    return run(this.binaries.fabricCaClient, [...args, '--caname', this.caName, '--tls.certfiles', this.layout.caCert(this.org), '--home', home]);
  }

  async enrollRegistrar(): Promise<void> {
    const home = this.layout.caClientHome(this.org);
    if (existsSync(join(home, 'msp', 'signcerts', 'cert.pem'))) return;
    mkdirSync(home, { recursive: true });
    const { host, port } = this.layout.caEndpoint(this.org);
    await this.client(['enroll', '--url', `https://registrar:${this.registrarSecret()}@${host}:${port}`], home);
  }

  /**
   * Registers an identity and enrolls its signing certificate and, if asked, a TLS certificate.
   * Returns the enrollment secret, for identities whose owner enrolls again on its own (the apps).
   */
  async issue(request: RegistrationRequest, paths: IdentityPaths, withTls: boolean): Promise<string> {
    const secret = randomBytes(18).toString('hex');
    const registerArgs = ['register', '--url', this.url, '--id.name', request.name, '--id.secret', secret, '--id.type', request.type];
    const attributes = Object.entries(request.attributes ?? {});
    if (attributes.length > 0) {
      registerArgs.push('--id.attrs', attributes.map(([key, value]) => `${key}=${value}:ecert`).join(','));
    }
    await this.client(registerArgs, this.layout.caClientHome(this.org));

    const { host, port } = this.layout.caEndpoint(this.org);
    const enrollUrl = `https://${request.name}:${secret}@${host}:${port}`;
    const home = join(paths.msp, '..');
    await this.client(['enroll', '--url', enrollUrl, '--mspdir', paths.msp, '--csr.hosts', 'localhost,127.0.0.1', '--csr.names', `O=${this.org.name}`], home);
    normaliseMsp(paths.msp);
    if (withTls) {
      const staging = join(home, 'tls-enroll');
      await this.client(['enroll', '--url', enrollUrl, '--mspdir', staging, '--enrollment.profile', 'tls', '--csr.hosts', 'localhost,127.0.0.1', '--csr.names', `O=${this.org.name}`], home);
      mkdirSync(join(paths.tls.cert, '..'), { recursive: true });
      copyFileSync(join(staging, 'signcerts', 'cert.pem'), paths.tls.cert);
      copyFileSync(onlyFile(join(staging, 'keystore')), paths.tls.key);
      copyFileSync(onlyFile(join(staging, 'tlscacerts')), paths.tls.ca);
      rmSync(staging, { recursive: true, force: true });
    }
    return secret;
  }

  /** The CA's URL and name, as an application needs them to enroll on its own. */
  get enrollmentEndpoint(): { url: string; caName: string } {
    return { url: this.url, caName: this.caName };
  }
}

function onlyFile(dir: string): string {
  const files = readdirSync(dir);
  if (files.length !== 1 || files[0] === undefined) throw new Error(`expected exactly one file in ${dir}, found ${files.length}`);
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
