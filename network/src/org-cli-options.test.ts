import { parseOrgCommandLine } from './org-cli-options';
import { joiningOrg } from './joining-org';
import { AI_PROVIDER, HOSPITAL_A, ORDERER_ORG, PEER_ORGS, REGULATOR } from './topology';

describe('parseOrgCommandLine', () => {
  it('parses revoke with its defaults', () => {
    expect(parseOrgCommandLine(['revoke', '--org', 'hospital-a', '--user', 'alice'])).toEqual({
      command: 'revoke',
      org: HOSPITAL_A,
      user: 'alice',
      reason: 'unspecified',
      signAs: [],
      out: undefined,
    });
  });

  it('parses --sign-as as distinct member orgs and --reason case-insensitively', () => {
    const line = parseOrgCommandLine([
      'revoke',
      '--org=hospital-a',
      '--user=alice',
      '--reason=KeyCompromise',
      '--sign-as',
      'regulator, ai-provider,regulator',
    ]);
    expect(line).toMatchObject({ reason: 'keycompromise', signAs: [REGULATOR, AI_PROVIDER] });
  });

  it('parses sign, submit and inspect', () => {
    for (const command of ['sign', 'submit', 'inspect'])
      expect(parseOrgCommandLine([command, '--org', 'regulator', '--proposal', 'p.pb'])).toEqual({
        command,
        org: REGULATOR,
        proposal: 'p.pb',
      });
  });

  it('parses units for a member or the Raft orderer org, refusing flags it does not take', () => {
    expect(parseOrgCommandLine(['units', '--org', 'hospital-a'])).toEqual({
      command: 'units',
      org: HOSPITAL_A,
      out: undefined,
    });
    expect(parseOrgCommandLine(['units', '--org', 'orderer-org', '--out', '/etc/aal'])).toEqual({
      command: 'units',
      org: ORDERER_ORG,
      out: '/etc/aal',
    });
    expect(() => parseOrgCommandLine(['units', '--org', 'hospital-a', '--user', 'alice'])).toThrow(
      'units takes no --user',
    );
    expect(() => parseOrgCommandLine(['units', '--org', 'hospital-z'])).toThrow(
      /unknown organisation 'hospital-z'; one of .*orderer-org/,
    );
    expect(() => parseOrgCommandLine(['revoke', '--org', 'orderer-org', '--user', 'alice'])).toThrow(
      /unknown organisation 'orderer-org'/,
    );
  });

  it('parses a members’ consortium’s found, up, deploy and app, refusing a missing hand-over folder or stray flags', () => {
    for (const command of ['found', 'up'])
      expect(parseOrgCommandLine([command, '--org', 'regulator', '--hand-over', '/srv/hand-over'])).toEqual({
        command,
        org: REGULATOR,
        handOver: '/srv/hand-over',
      });
    for (const command of ['deploy', 'app'])
      expect(parseOrgCommandLine([command, '--org', 'ai-provider'])).toEqual({ command, org: AI_PROVIDER });
    expect(() => parseOrgCommandLine(['found', '--org', 'hospital-a'])).toThrow('found needs --hand-over');
    expect(() => parseOrgCommandLine(['deploy', '--org', 'hospital-a', '--hand-over', 'x'])).toThrow(
      'deploy takes no --hand-over',
    );
    expect(() => parseOrgCommandLine(['up', '--org', 'orderer-org', '--hand-over', 'x'])).toThrow(
      /unknown organisation 'orderer-org'/,
    );
  });

  it('parses init of a new org with its name and MSP id, and knows it afterwards as the directory’s own', () => {
    const named = { name: 'HospitalC', mspId: 'HospitalCMSP' };
    const hospitalC = joiningOrg('hospital-c', named);
    expect(
      parseOrgCommandLine(['init', '--org', 'hospital-c', '--name', 'HospitalC', '--msp-id', 'HospitalCMSP']),
    ).toEqual({ command: 'init', org: hospitalC, joining: named });
    expect(() => parseOrgCommandLine(['init', '--org', 'hospital-c'])).toThrow(
      "'hospital-c' is not a founding org (hospital-a, hospital-b, ai-provider, regulator); a new org that joins " +
        'the channels later is initialised with --name <Name> --msp-id <Name>MSP too',
    );
    expect(() => parseOrgCommandLine(['init', '--org', 'hospital-a', '--name', 'HospitalA'])).toThrow(
      '--name and --msp-id name a new org; hospital-a is a founding org',
    );
    // A new org may not take a founder's MSP id or name, nor have a malformed one.
    expect(() =>
      parseOrgCommandLine(['init', '--org', 'hospital-c', '--name', 'HospitalC', '--msp-id', 'RegulatorMSP']),
    ).toThrow('clashes with the founding org Regulator');
    expect(() =>
      parseOrgCommandLine(['init', '--org', 'hospital-c', '--name', 'Hospital C', '--msp-id', 'HospitalCMSP']),
    ).toThrow("'Hospital C' is not an org name");
    // Once its directory records it, the other commands know it, and init again needs no names.
    const members = [...PEER_ORGS, hospitalC];
    expect(parseOrgCommandLine(['join', '--org', 'hospital-c', '--channel', 'hospital-a'], members)).toEqual({
      command: 'join',
      org: hospitalC,
      channel: 'hospital-a',
    });
    expect(parseOrgCommandLine(['init', '--org', 'hospital-c'], members)).toEqual({
      command: 'init',
      org: hospitalC,
      joining: named,
    });
    expect(() => parseOrgCommandLine(['join', '--org', 'hospital-c', '--channel', 'hospital-a'])).toThrow(
      "--org: unknown organisation 'hospital-c'",
    );
  });

  it('parses init for a member or the Raft orderer org', () => {
    expect(parseOrgCommandLine(['init', '--org', 'hospital-a'])).toEqual({
      command: 'init',
      org: HOSPITAL_A,
      joining: undefined,
    });
    expect(parseOrgCommandLine(['init', '--org=orderer-org'])).toEqual({
      command: 'init',
      org: ORDERER_ORG,
      joining: undefined,
    });
    expect(() => parseOrgCommandLine(['init', '--org', 'hospital-a', '--out', 'x'])).toThrow('init takes no --out');
    expect(() => parseOrgCommandLine(['init'])).toThrow('init needs --org');
  });

  it('parses propose-add, propose-remove and join', () => {
    expect(
      parseOrgCommandLine(['propose-add', '--org', 'hospital-a', '--channel', 'hospital-a', '--definition', 'b.json']),
    ).toEqual({ command: 'propose-add', org: HOSPITAL_A, channel: 'hospital-a', definition: 'b.json', out: undefined });
    expect(
      parseOrgCommandLine([
        'propose-remove',
        '--org=regulator',
        '--channel=hospital-a',
        '--member=HospitalBMSP',
        '--out=r.pb',
      ]),
    ).toEqual({
      command: 'propose-remove',
      org: REGULATOR,
      channel: 'hospital-a',
      member: 'HospitalBMSP',
      out: 'r.pb',
    });
    expect(parseOrgCommandLine(['join', '--org', 'hospital-a', '--channel', 'hospital-b'])).toEqual({
      command: 'join',
      org: HOSPITAL_A,
      channel: 'hospital-b',
    });
  });

  it('is help without a command', () => {
    expect(parseOrgCommandLine([])).toEqual({ command: 'help' });
    expect(parseOrgCommandLine(['sign', '--help'])).toEqual({ command: 'help' });
  });

  it.each([
    [['launch'], "unknown command 'launch'"],
    [['revoke', '--org', 'hospital-z', '--user', 'a'], "--org: unknown organisation 'hospital-z'"],
    [['revoke', '--org', 'orderer-org', '--user', 'a'], "--org: unknown organisation 'orderer-org'"],
    [['revoke', '--org', 'hospital-a'], 'revoke needs --user'],
    [['revoke', '--org', 'hospital-a', '--user=-x'], "--user: '-x' is not an enrollment id"],
    [['revoke', '--org', 'hospital-a', '--user', 'a', '--reason', 'bored'], "unknown revocation reason 'bored'"],
    [['revoke', '--org', 'hospital-a', '--user', 'a', '--sign-as', 'b'], "--sign-as: unknown organisation 'b'"],
    [['revoke', '--org', 'hospital-a', '--user', 'a', '--proposal', 'p'], 'revoke takes no --proposal'],
    [['sign', '--org', 'hospital-a'], 'sign needs --proposal'],
    [['submit', '--proposal', 'p.pb'], 'submit needs --org'],
    [['submit', '--org', 'hospital-a', '--proposal', 'p', '--user', 'a'], 'submit takes no --user'],
    [['sign', 'extra', '--org', 'hospital-a', '--proposal', 'p'], "unexpected argument 'extra'"],
    [['sign', '--bogus'], "Unknown option '--bogus'"],
    [['propose-add', '--org', 'hospital-a', '--definition', 'b.json'], 'propose-add needs --channel'],
    [['propose-add', '--org', 'hospital-a', '--channel', 'hospital-a'], 'propose-add needs --definition'],
    [
      ['propose-add', '--org', 'hospital-a', '--channel', 'Hospital A', '--definition', 'b'],
      "--channel: 'Hospital A' is not a channel name",
    ],
    [
      ['propose-remove', '--org', 'hospital-a', '--channel', 'hospital-a', '--member', 'HospitalB'],
      "--member: 'HospitalB' is not an MSP id",
    ],
    [['propose-remove', '--org', 'hospital-a', '--channel', 'hospital-a'], 'propose-remove needs --member'],
    [['join', '--org', 'hospital-a'], 'join needs --channel'],
    [['join', '--org', 'hospital-a', '--channel', 'c', '--proposal', 'p'], 'join takes no --proposal'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOrgCommandLine(argv)).toThrow(message);
  });
});
