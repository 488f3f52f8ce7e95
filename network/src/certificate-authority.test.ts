import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { FabricBinaries } from './binaries';
import {
  enrollmentsNeeded,
  nodeOuConfig,
  OrgCertificateAuthority,
  registrarPassword,
  withRegistrarSecret,
} from './certificate-authority';
import { NetworkError } from './errors';
import { NetworkLayout } from './layout';
import { ProcessSupervisor } from './processes';
import { ORDERER_ORG } from './topology';

describe('nodeOuConfig', () => {
  it('classifies identities by the OU the CA writes (client, peer, admin, orderer)', () => {
    const config = parse(nodeOuConfig('cacerts/ca.pem')) as { NodeOUs: Record<string, unknown> };
    expect(config.NodeOUs).toEqual({
      Enable: true,
      ClientOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'client' },
      PeerOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'peer' },
      AdminOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'admin' },
      OrdererOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'orderer' },
    });
  });
});

describe('enrollmentsNeeded', () => {
  it('counts the network’s own enrollments (signing, TLS) and the owner’s, nothing more', () => {
    expect(enrollmentsNeeded(false)).toBe(1);
    expect(enrollmentsNeeded(true)).toBe(2);
    expect(enrollmentsNeeded(false, 1)).toBe(2);
    expect(() => enrollmentsNeeded(false, -1)).toThrow(NetworkError);
    expect(() => enrollmentsNeeded(false, 0.5)).toThrow(NetworkError);
  });
});

describe('withRegistrarSecret', () => {
  const template = [
    '# the CA’s own template, comments kept',
    'registry:',
    '  maxenrollments: -1',
    '  identities:',
    '     - name: registrar',
    '       pass: placeholder-1',
    '       type: client',
    '',
  ].join('\n');

  it('puts the secret where the placeholder was, and nowhere else', () => {
    const config = withRegistrarSecret(template, 'placeholder-1', 's3cret');
    expect(config).toBe(template.replace('placeholder-1', 's3cret'));
    expect(registrarPassword(config)).toBe('s3cret');
  });

  it('refuses a template without exactly one placeholder, or without a registrar', () => {
    expect(() => withRegistrarSecret(template, 'placeholder-2', 's3cret')).toThrow(NetworkError);
    expect(() => withRegistrarSecret(`${template}# placeholder-1\n`, 'placeholder-1', 's3cret')).toThrow(NetworkError);
    expect(() =>
      withRegistrarSecret(template.replace('name: registrar', 'name: someone'), 'placeholder-1', 's3cret'),
    ).toThrow(NetworkError);
  });
});

/**
 * Stand-ins for fabric-ca-server and fabric-ca-client: each records its arguments (and, for the
 * client, the configuration file it finds and that file's mode) to a JSON-lines log. The server
 * generates a configuration on `init` and listens on `start` (refusing, like the real one, to start
 * without a configuration file); the client writes the MSP files `enroll` would.
 */
function fakeBinaries(dir: string): { binaries: FabricBinaries; calls: () => Call[] } {
  const log = join(dir, 'calls.jsonl');
  const prelude = `#!${process.execPath}
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const home = opt('--home');
`;
  const server = join(dir, 'fabric-ca-server');
  writeFileSync(
    server,
    `${prelude}
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ tool: 'server', args }) + '\\n');
const config = path.join(home, 'fabric-ca-server-config.yaml');
if (args[0] === 'init') {
  const [user, pass] = opt('--boot').split(':');
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(config, '# generated\\nregistry:\\n  maxenrollments: -1\\n  identities:\\n     - name: ' + user + '\\n       pass: ' + pass + '\\n', { mode: 0o644 });
  fs.writeFileSync(path.join(home, 'fabric-ca-server.db'), 'scratch CA');
} else if (!fs.existsSync(config)) {
  console.error("The '-b user:pass' option is required");
  process.exit(1);
} else {
  require('node:net').createServer().listen(Number(opt('--port')), opt('--address'));
}
`,
    { mode: 0o755 },
  );
  const client = join(dir, 'fabric-ca-client');
  writeFileSync(
    client,
    `${prelude}
const configFile = path.join(home, 'fabric-ca-client-config.yaml');
const found = fs.existsSync(configFile);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({
  tool: 'client',
  args,
  config: found ? fs.readFileSync(configFile, 'utf8') : null,
  mode: found ? (fs.statSync(configFile).mode & 0o777).toString(8) : null,
}) + '\\n');
if (args[0] === 'enroll') {
  const msp = opt('--mspdir') ?? path.join(home, 'msp');
  const files = { signcerts: 'cert.pem', keystore: 'key_sk', cacerts: '127-0-0-1.pem', tlscacerts: 'tls-ca.pem' };
  for (const [sub, file] of Object.entries(files)) {
    fs.mkdirSync(path.join(msp, sub), { recursive: true });
    fs.writeFileSync(path.join(msp, sub, file), sub);
  }
  // The real client creates a default configuration (0755) when there is none.
  if (!found) fs.writeFileSync(configFile, 'url: https://localhost:7054\\n', { mode: 0o755 });
}
`,
    { mode: 0o755 },
  );
  const binaries: FabricBinaries = {
    binDir: dir,
    peer: '',
    orderer: '',
    configtxgen: '',
    osnadmin: '',
    configtxlator: '',
    fabricCaServer: server,
    fabricCaClient: client,
    sampleConfigDir: '',
  };
  const calls = (): Call[] =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Call);
  return { binaries, calls };
}

interface Call {
  readonly tool: 'server' | 'client';
  readonly args: string[];
  readonly config?: string | null;
  readonly mode?: string | null;
}

/** A port nothing listens on right now (the CA's base port in the layout below). */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
    );
    await new Promise((resolve) => server.close(resolve));
    if (port <= 65_435) return port;
  }
}

function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('OrgCertificateAuthority keeps secrets out of command lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aal-ca-'));
  const { binaries, calls } = fakeBinaries(dir);
  let layout: NetworkLayout;
  let supervisor: ProcessSupervisor;
  let ca: OrgCertificateAuthority;
  const org = ORDERER_ORG; // index 0: its CA listens on the base port itself

  beforeAll(async () => {
    layout = new NetworkLayout({
      dir: join(dir, 'net'),
      basePort: await freePort(),
      orderers: 1,
      purgeIntervalBlocks: 1,
    });
    mkdirSync(layout.logsDir, { recursive: true });
    supervisor = new ProcessSupervisor(layout.pidsDir);
    ca = new OrgCertificateAuthority(layout, binaries, supervisor, org);
  });
  afterAll(async () => {
    await supervisor.stop(layout.caProcess(org));
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts fabric-ca-server with the registrar in its 0600 configuration, not on its command line', async () => {
    await ca.start();
    const secret = readFileSync(layout.caRegistrarSecret(org), 'utf8');
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    const home = layout.caHome(org);
    const config = join(home, 'fabric-ca-server-config.yaml');
    expect(registrarPassword(readFileSync(config, 'utf8'))).toBe(secret);
    expect([modeOf(config), modeOf(home), modeOf(dirname(home)), modeOf(layout.caRegistrarSecret(org))]).toEqual([
      0o600, 0o700, 0o700, 0o600,
    ]);
    // The configuration came from an `init` in a scratch home, with a placeholder, since deleted.
    const [init, start] = calls();
    expect(init?.args.slice(0, 2)).toEqual(['init', '--home']);
    expect(init?.args.join(' ')).toMatch(/--boot registrar:placeholder-[0-9a-f]{16}$/);
    expect(existsSync(init?.args[2] ?? '')).toBe(false);
    expect(start?.args[0]).toBe('start');
    expect(start?.args).not.toContain('--boot');

    const record = supervisor.record(layout.caProcess(org));
    expect(record?.args.join(' ')).not.toContain(secret);
    for (const part of ['cmdline', 'environ']) {
      const visible = readFileSync(`/proc/${record?.pid}/${part}`, 'utf8');
      expect(visible).toContain(part === 'cmdline' ? home : 'FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS');
      expect(visible).not.toContain(secret);
    }
  });

  it('passes enrollment and registration secrets in a 0600 configuration file for the call only', async () => {
    const before = calls().length;
    await ca.enrollRegistrar();
    const app = await ca.issue(
      { name: 'app-recorder', type: 'client', attributes: { role: 'recorder' }, ownerEnrollments: 1 },
      layout.appUserIdentity(org, 'recorder'),
      false,
    );
    const node = await ca.issue({ name: 'orderer0', type: 'orderer' }, layout.ordererIdentity(0), true);
    const admin = await ca.issue({ name: 'Admin', type: 'admin' }, layout.adminIdentity(org), false);
    const registrar = readFileSync(layout.caRegistrarSecret(org), 'utf8');
    const { host, port } = layout.caEndpoint(org);
    const url = (name: string, secret: string): string => `https://${name}:${secret}@${host}:${port}`;

    const made = calls().slice(before);
    for (const call of made) {
      expect(call.tool).toBe('client');
      for (const secret of [registrar, app, node, admin]) expect(call.args.join(' ')).not.toContain(secret);
      expect(call.mode).toBe('600');
    }
    const seen = made.map((call) => {
      const option = (name: string): string | undefined =>
        call.args.includes(name) ? call.args[call.args.indexOf(name) + 1] : undefined;
      const config = parse(call.config ?? '') as { url?: string; id?: { secret?: string } };
      return call.args[0] === 'register'
        ? ['register', option('--id.name'), option('--id.maxenrollments'), config.id?.secret]
        : ['enroll', config.url, option('--enrollment.profile') ?? ''];
    });
    expect(seen).toEqual([
      ['enroll', url('registrar', registrar), ''],
      // Tooling's enrollment here, and the app's own later: 2.
      ['register', 'app-recorder', '2', app],
      ['enroll', url('app-recorder', app), ''],
      // Signing and TLS certificates: 2.
      ['register', 'orderer0', '2', node],
      ['enroll', url('orderer0', node), ''],
      ['enroll', url('orderer0', node), 'tls'],
      ['register', 'Admin', '1', admin],
      ['enroll', url('Admin', admin), ''],
    ]);
    for (const home of [
      layout.caClientHome(org),
      dirname(layout.appUserIdentity(org, 'recorder').msp),
      dirname(layout.ordererIdentity(0).msp),
      dirname(layout.adminIdentity(org).msp),
    ])
      expect(existsSync(join(home, 'fabric-ca-client-config.yaml'))).toBe(false);
  });

  it('narrows a configuration an earlier version left readable, without generating it again', async () => {
    await supervisor.stop(layout.caProcess(org));
    const home = layout.caHome(org);
    const config = join(home, 'fabric-ca-server-config.yaml');
    const content = readFileSync(config, 'utf8');
    chmodSync(config, 0o644);
    chmodSync(home, 0o755);
    const before = calls().length;
    await ca.start();
    expect(
      calls()
        .slice(before)
        .map((call) => call.args[0]),
    ).toEqual(['start']);
    expect(readFileSync(config, 'utf8')).toBe(content);
    expect([modeOf(config), modeOf(home)]).toEqual([0o600, 0o700]);
  });
});
