import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import {
  address,
  APP_ROLES,
  AUDIT_INDEX_ROLE,
  auditIndexDatabaseName,
  ensureBinaries,
  FabricNetwork,
  PEER_ORGS,
  run,
  type OrgSpec,
} from '@aal/network';
import { loadTestEnvironment, testNetworkOptions } from '../support/test-network';

/**
 * Local secrets (issue 10, finding 11): no process of the network shows a secret to other local
 * users (/proc/<pid>/cmdline is world-readable), the CA keeps its registrar secret in owner-only
 * files, and the apps' enrollment secrets are used up once the apps have enrolled.
 */

const environment = loadTestEnvironment();
const network = new FabricNetwork(testNetworkOptions());
const layout = network.layout;
/** Every org that runs a CA: the members, and OrdererOrg with Raft ordering. */
const CA_ORGS: readonly OrgSpec[] = layout.caOrgs();

interface Secret {
  readonly what: string;
  readonly value: string;
}

/** The secrets the network directory holds: registrar secrets, any hand-over secret left, API keys, database passwords. */
function networkSecrets(): Secret[] {
  const secrets: Secret[] = CA_ORGS.map((org) => ({
    what: `${org.name}'s registrar secret`,
    value: readFileSync(layout.caRegistrarSecret(org), 'utf8'),
  }));
  for (const org of PEER_ORGS) {
    for (const [role, user] of Object.entries(leftoverEnrollmentSecrets(org)))
      secrets.push({ what: `${org.name}'s ${role} enrollment secret`, value: user.secret });
    for (const [role, key] of Object.entries(environment.apiKeys[org.name] ?? {}))
      secrets.push({ what: `${org.name}'s ${role} API key`, value: key });
    secrets.push({
      what: `${org.name}'s audit index database password`,
      value: readFileSync(layout.auditIndexPasswordFile(org), 'utf8'),
    });
  }
  return secrets;
}

function leftoverEnrollmentSecrets(org: OrgSpec): Record<string, { enrollmentId: string; secret: string }> {
  const file = layout.appEnrollmentSecrets(org);
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, { enrollmentId: string; secret: string }>)
    : {};
}

/**
 * Every process of this network: those it recorded, and any other whose command line or environment
 * names the network directory (children of the recorded ones included).
 */
function networkProcesses(): { pid: number; name: string }[] {
  const running = network.status().filter((process) => process.running);
  const found = new Map(running.map((process) => [process.pid, process.name]));
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || found.has(pid)) continue;
    const text = ['cmdline', 'environ'].map((part) => procFile(pid, part) ?? '').join('\0');
    if (text.includes(layout.dir)) found.set(pid, (procFile(pid, 'cmdline') ?? '').split('\0').slice(0, 2).join(' '));
  }
  return [...found].map(([pid, name]) => ({ pid, name }));
}

function procFile(pid: number, part: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${part}`, 'utf8');
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** `POST /api/v1/enroll` with HTTP basic auth, as an app enrolls; resolves with the CA's status. */
function enrollStatus(org: OrgSpec, enrollmentId: string, secret: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ caname: `ca-${org.slug}` });
    const call = request(
      `https://${address(layout.caEndpoint(org))}/api/v1/enroll`,
      {
        method: 'POST',
        ca: readFileSync(layout.caCert(org)),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Basic ${Buffer.from(`${enrollmentId}:${secret}`).toString('base64')}`,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** Whether `text` appears in the log after character `from` within 5 s (the CA logs after answering). */
async function logLine(file: string, from: number, text: string): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (!readFileSync(file, 'utf8').slice(from).includes(text)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

describe('local secrets', () => {
  it('no process of the network has a secret on its command line or in its environment', () => {
    const secrets = networkSecrets();
    expect(secrets.filter((secret) => secret.what.endsWith('registrar secret'))).toHaveLength(CA_ORGS.length);
    for (const secret of secrets) expect(secret.value.length).toBeGreaterThanOrEqual(24);
    const processes = networkProcesses();
    const names = processes.map((process) => process.name);
    for (const org of CA_ORGS) expect(names).toContain(layout.caProcess(org));
    for (const org of PEER_ORGS) expect(names).toContain(layout.applicationProcess(org));
    for (const org of PEER_ORGS) expect(names).toContain(layout.aiGatewayProcess(org));
    for (const org of PEER_ORGS) expect(names).toContain(layout.postgresProcess(org));
    expect(names.some((name) => name.startsWith('orderer'))).toBe(true);
    expect(names.some((name) => name.startsWith('peer0'))).toBe(true);

    const exposed: string[] = [];
    for (const { pid, name } of processes) {
      for (const part of ['cmdline', 'environ']) {
        const text = procFile(pid, part);
        if (text === undefined) continue;
        for (const secret of secrets) if (text.includes(secret.value)) exposed.push(`${name} ${part}: ${secret.what}`);
      }
    }
    expect(exposed).toEqual([]);
    for (const org of CA_ORGS) {
      const args = network.supervisor.record(layout.caProcess(org))?.args ?? [];
      expect(args[0]).toBe('start');
      expect(args.filter((arg) => arg === '-b' || arg.startsWith('--boot'))).toEqual([]);
    }
  });

  it('each CA reads its registrar secret from owner-only files, and no client configuration keeps one', () => {
    for (const org of CA_ORGS) {
      const home = layout.caHome(org);
      const config = join(home, 'fabric-ca-server-config.yaml');
      const secret = readFileSync(layout.caRegistrarSecret(org), 'utf8');
      expect(readFileSync(config, 'utf8')).toContain(`pass: ${secret}`);
      expect({
        org: org.name,
        caDir: modeOf(dirname(home)),
        home: modeOf(home),
        config: modeOf(config),
        secretFile: modeOf(layout.caRegistrarSecret(org)),
      }).toEqual({ org: org.name, caDir: '700', home: '700', config: '600', secretFile: '600' });
      expect(existsSync(join(layout.caClientHome(org), 'fabric-ca-client-config.yaml'))).toBe(false);
    }
    for (const org of PEER_ORGS)
      for (const role of APP_ROLES)
        expect(existsSync(join(dirname(layout.appUserIdentity(org, role).msp), 'fabric-ca-client-config.yaml'))).toBe(
          false,
        );
  });

  it('each audit index database lets in only its app role, with the password from an owner-only file', async () => {
    const connect = async (org: OrgSpec, user: string, password: string, database: string): Promise<string> => {
      const { host, port } = layout.auditIndexDatabase(org);
      const client = new Client({ host, port, user, password, database });
      try {
        await client.connect();
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
      await client.end();
      return 'connected';
    };
    for (const org of PEER_ORGS) {
      const passwordFile = layout.auditIndexPasswordFile(org);
      expect({
        org: org.name,
        passwordFile: modeOf(passwordFile),
        dataDir: modeOf(layout.postgresDataDir(org)),
      }).toEqual({
        org: org.name,
        passwordFile: '600',
        dataDir: '700',
      });
      const password = readFileSync(passwordFile, 'utf8');
      const database = auditIndexDatabaseName(org);
      expect(await connect(org, AUDIT_INDEX_ROLE, password, database)).toBe('connected');
      expect(await connect(org, AUDIT_INDEX_ROLE, `${password}x`, database)).toMatch(/password authentication failed/);
      // The bootstrap superuser has no password and no pg_hba.conf line: no way in over the network.
      expect(await connect(org, 'postgres', password, 'postgres')).toMatch(/no pg_hba.conf entry/);
      expect(await connect(org, AUDIT_INDEX_ROLE, password, 'postgres')).toMatch(/no pg_hba.conf entry/);
      // The password is no server's to log: the role was created from its SCRAM verifier.
      expect(readFileSync(layout.logFile(layout.postgresProcess(org)), 'utf8')).not.toContain(password);
    }
  });

  it('the apps’ enrollment secrets are used up: none is left to hand over, and the CA enrolls no app user again', async () => {
    const binaries = await ensureBinaries();
    for (const org of PEER_ORGS) {
      // A secret still in the hand-over file (there should be none) must be one the CA refuses.
      for (const user of Object.values(leftoverEnrollmentSecrets(org)))
        expect({ user: user.enrollmentId, status: await enrollStatus(org, user.enrollmentId, user.secret) }).toEqual({
          user: user.enrollmentId,
          status: 401,
        });
      expect({ org: org.name, handOver: existsSync(layout.appEnrollmentSecrets(org)) }).toEqual({
        org: org.name,
        handOver: false,
      });

      const registrar = [
        '--url',
        `https://${address(layout.caEndpoint(org))}`,
        '--caname',
        `ca-${org.slug}`,
        '--tls.certfiles',
        layout.caCert(org),
        '--home',
        layout.caClientHome(org),
      ];
      const caLog = layout.logFile(layout.caProcess(org));
      for (const role of APP_ROLES) {
        const user = `app-${role}`;
        const { stdout } = await run(binaries.fabricCaClient, ['identity', 'list', '--id', user, ...registrar]);
        // Registered for the network's tooling enrollment and the app's own: both made.
        expect(stdout).toContain(`Name: ${user}, Type: client`);
        expect(stdout).toContain('Max Enrollments: 2,');
        // Whoever knows a secret of the user — here a fresh one the registrar sets — enrolls nothing more.
        const secret = randomBytes(18).toString('hex');
        await run(binaries.fabricCaClient, ['identity', 'modify', user, '--secret', secret, ...registrar]);
        const logged = readFileSync(caLog, 'utf8').length;
        expect({ user, status: await enrollStatus(org, user, secret) }).toEqual({ user, status: 401 });
        // The CA answers a used-up secret like a wrong one; its log says which.
        expect(
          await logLine(
            caLog,
            logged,
            `The identity ${user} has already enrolled 2 times, it has reached its maximum enrollment allowance`,
          ),
        ).toBe(true);
      }
    }
  });
});
