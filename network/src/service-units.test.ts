import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError } from './errors';
import { NetworkLayout } from './layout';
import { ProcessSupervisor } from './processes';
import { serviceDefinition, writeServiceDefinition, type ServiceDefinition } from './service-definition';
import {
  orgServiceUnits,
  orgTargetName,
  renderEnvironmentFile,
  renderServiceUnit,
  serviceUnitName,
  writeOrgServiceUnits,
} from './service-units';
import { HOSPITAL_A, ORDERER_ORG, REGULATOR } from './topology';

describe('service definitions', () => {
  it('keep only the variables the tool set for the process, sorted, not those it inherited unchanged', () => {
    const definition = serviceDefinition(
      {
        name: 'peer0.hospital-a',
        command: '/opt/fabric/peer',
        args: ['node', 'start'],
        env: { PATH: '/usr/bin', HOME: '/root', CORE_PEER_ID: 'peer0', AAL_X: 'changed', UNSET: undefined },
        logFile: '/net/logs/peer0.hospital-a.log',
      },
      { PATH: '/usr/bin', HOME: '/root', AAL_X: 'shell value' },
    );
    expect(definition).toEqual({
      name: 'peer0.hospital-a',
      command: '/opt/fabric/peer',
      args: ['node', 'start'],
      env: { AAL_X: 'changed', CORE_PEER_ID: 'peer0' },
      logFile: '/net/logs/peer0.hospital-a.log',
    });
    expect(Object.keys(definition.env)).toEqual(['AAL_X', 'CORE_PEER_ID']);
  });

  it('are recorded 0600 by the supervisor when it starts a process, and follow a rename', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aal-definitions-'));
    try {
      const supervisor = new ProcessSupervisor(join(dir, 'pids'), join(dir, 'services'));
      supervisor.start({
        name: 'sleeper.next',
        command: '/bin/sleep',
        args: ['30'],
        env: { ...process.env, AAL_SLEEPER: '1' },
        logFile: join(dir, 'sleeper.log'),
      });
      supervisor.rename('sleeper.next', 'sleeper');
      const file = join(dir, 'services', 'sleeper.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
        name: 'sleeper',
        command: '/bin/sleep',
        args: ['30'],
        env: { AAL_SLEEPER: '1' },
      });
      expect(() => readFileSync(join(dir, 'services', 'sleeper.next.json'))).toThrow();
      await supervisor.stop('sleeper');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('service units', () => {
  const definition: ServiceDefinition = {
    name: 'chaincode.hospital-a',
    command: '/usr/bin/node',
    args: ['/opt/aal/shim.js', '--label', 'a b', 'cost=5%', 'say "hi"', '$HOME', 'back\\slash'],
    cwd: '/opt/aal/chaincode dir',
    env: { AAL_AUDITOR_ORGS: 'RegulatorMSP', QUOTED: 'a "b" \\c' },
    logFile: '/net/logs/chaincode.hospital-a.log',
  };
  const context = {
    org: HOSPITAL_A,
    description: 'chaincode server',
    after: ['aal-peer0.hospital-a.service'],
    environmentFile: '/etc/aal/aal-chaincode.hospital-a.env',
  };

  it('quote every argument the way systemd reads it back: spaces, quotes, backslashes, % and $', () => {
    const unit = renderServiceUnit(definition, context);
    expect(unit).toContain(
      'ExecStart=/usr/bin/node /opt/aal/shim.js --label "a b" "cost=5%%" "say \\"hi\\"" "$$HOME" "back\\\\slash"',
    );
    expect(unit).toContain('WorkingDirectory="/opt/aal/chaincode dir"');
    expect(unit).toContain('After=network-online.target aal-peer0.hospital-a.service');
    expect(unit).toContain(`PartOf=${orgTargetName(HOSPITAL_A)}`);
    expect(unit).toContain(`WantedBy=${orgTargetName(HOSPITAL_A)}`);
    expect(unit).toContain('StandardOutput=append:/net/logs/chaincode.hospital-a.log');
    expect(unit).not.toContain('RegulatorMSP'); // variables live in the 0600 environment file only
  });

  it('write the environment file with quotes and backslashes escaped', () => {
    expect(renderEnvironmentFile(definition).split('\n').slice(1, 3)).toEqual([
      'AAL_AUDITOR_ORGS="RegulatorMSP"',
      'QUOTED="a \\"b\\" \\\\c"',
    ]);
  });

  it('refuse a line break in an argument or a variable, and a variable name systemd cannot read', () => {
    expect(() => renderServiceUnit({ ...definition, args: ['a\nb'] }, context)).toThrow(NetworkError);
    expect(() => renderEnvironmentFile({ ...definition, env: { A: 'x\ny' } })).toThrow(/A holds a line break/);
    expect(() => renderEnvironmentFile({ ...definition, env: { 'A-B': 'x' } })).toThrow(/not a variable name: A-B/);
  });

  describe('of an org on a network whose processes were started', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aal-units-'));
    const layout = new NetworkLayout({ dir, basePort: 20000, orderers: 3, purgeIntervalBlocks: 1 });
    const installDir = join(dir, 'units');
    beforeAll(() => {
      // As `npm start` leaves them: one definition per process of every org (commands that exist here).
      for (const { owner } of layout.allPorts())
        writeServiceDefinition(layout.serviceDefinitionsDir, {
          name: owner,
          command: '/bin/sleep',
          args: ['infinity'],
          env: { AAL_OWNER: owner },
          logFile: layout.logFile(owner),
          ...(owner.startsWith('postgres.') ? { uid: 65534, gid: 65534 } : {}),
        });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('give each of its processes a unit and a 0600 environment file, one target, and its port list', () => {
      const written = writeOrgServiceUnits(layout, HOSPITAL_A, installDir);
      const names = written.map((path) => path.slice(installDir.length + 1)).sort();
      const processes = [
        'ai-gateway.hospital-a',
        'app.hospital-a',
        'ca.hospital-a',
        'chaincode.hospital-a',
        'peer0.hospital-a',
        'postgres.hospital-a',
      ];
      expect(names).toEqual(
        [
          ...processes.flatMap((name) => [`aal-${name}.env`, serviceUnitName(name)]),
          'aal-hospital-a.ports.tsv',
          orgTargetName(HOSPITAL_A),
        ].sort(),
      );
      for (const name of processes) expect(statSync(join(installDir, `aal-${name}.env`)).mode & 0o777).toBe(0o600);
      const app = readFileSync(join(installDir, serviceUnitName('app.hospital-a')), 'utf8');
      expect(app).toContain('After=network-online.target aal-peer0.hospital-a.service aal-postgres.hospital-a.service');
      expect(app).toContain('Description=AI Audit Ledger HospitalA: REST app (app.hospital-a)');
      const gateway = readFileSync(join(installDir, serviceUnitName('ai-gateway.hospital-a')), 'utf8');
      expect(gateway).toContain('After=network-online.target aal-peer0.hospital-a.service aal-app.hospital-a.service');
      expect(gateway).toContain('Description=AI Audit Ledger HospitalA: AI gateway (ai-gateway.hospital-a)');
      expect(readFileSync(join(installDir, serviceUnitName('postgres.hospital-a')), 'utf8')).toContain('User=65534');
      const target = readFileSync(join(installDir, orgTargetName(HOSPITAL_A)), 'utf8');
      const wanted = /^Wants=(.*)$/m.exec(target)?.[1]?.split(' ') ?? [];
      expect(wanted.sort()).toEqual(processes.map(serviceUnitName).sort());
      // No other org's process is HospitalA's: not the Regulator's peer, not the Raft orderers.
      expect(written.some((path) => path.includes('regulator') || path.includes('orderer'))).toBe(false);
    });

    it('list the ports with what a firewall does: the peer open to the consortium, the database closed', () => {
      const ports = orgServiceUnits(layout, HOSPITAL_A, installDir).find((file) => file.name.endsWith('.ports.tsv'));
      const lines = ports?.content.trimEnd().split('\n').slice(1) ?? [];
      expect(lines).toHaveLength(layout.portsOf(HOSPITAL_A).length);
      const peer = `127.0.0.1:${layout.peerEndpoint(HOSPITAL_A).port}`;
      expect(lines.find((line) => line.startsWith(`${peer}\t`))).toMatch(
        /\tpeer0\.hospital-a\t.*\topen to every member's hosts$/,
      );
      const database = `127.0.0.1:${layout.auditIndexDatabase(HOSPITAL_A).port}`;
      expect(lines.find((line) => line.startsWith(`${database}\t`))).toMatch(/closed \(used on this host only\)$/);
    });

    it('are units systemd accepts (systemd-analyze verify reports nothing)', () => {
      const written = writeOrgServiceUnits(layout, REGULATOR, join(dir, 'regulator-units'));
      const units = written.filter((path) => path.endsWith('.service') || path.endsWith('.target'));
      const report = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], {
        cwd: join(dir, 'regulator-units'),
        encoding: 'utf8',
      });
      // Warnings go to stderr with exit status 0: both must be empty.
      expect({ status: report.status, stdout: report.stdout, stderr: report.stderr }).toEqual({
        status: 0,
        stdout: '',
        stderr: '',
      });
    });

    it('give the orderer org its orderers (Raft), and refuse an org whose processes were never started here', () => {
      const orderer = orgServiceUnits(layout, ORDERER_ORG, installDir).map((file) => file.name);
      expect(orderer).toEqual(
        expect.arrayContaining(['aal-orderer0.orderer-org.service', 'aal-orderer2.orderer-org.service']),
      );
      const empty = new NetworkLayout({
        dir: join(dir, 'empty'),
        basePort: 20000,
        orderers: 3,
        purgeIntervalBlocks: 1,
      });
      expect(() => orgServiceUnits(empty, HOSPITAL_A, installDir)).toThrow(
        /no definition of ca\.hospital-a .*npm start/,
      );
    });
  });
});
