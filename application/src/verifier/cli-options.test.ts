import { parseVerifyProofArguments, UsageError } from './cli-options';

const REPO = '/repo';

function usageErrorOf(argv: string[]): string {
  try {
    parseVerifyProofArguments(argv, {}, REPO);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('parseVerifyProofArguments', () => {
  it("defaults to the Regulator's auditor on hospital-a, with the profile of the default network", () => {
    expect(parseVerifyProofArguments(['--proof', '/tmp/p.json'], {}, REPO)).toEqual({
      proofFile: '/tmp/p.json',
      recordFile: undefined,
      channel: 'hospital-a',
      org: 'regulator',
      role: 'auditor',
      profileFile: '/repo/.network/orgs/regulator/gateway-profile.json',
    });
  });

  it('takes the network dir from AAL_NETWORK_DIR or --network-dir, and --profile over both', () => {
    expect(
      parseVerifyProofArguments(['--proof', '/p', '--org', 'hospital-a'], { AAL_NETWORK_DIR: '/net' }, REPO)
        .profileFile,
    ).toBe('/net/orgs/hospital-a/gateway-profile.json');
    expect(
      parseVerifyProofArguments(['--proof', '/p', '--network-dir', '/other'], { AAL_NETWORK_DIR: '/net' }, REPO)
        .profileFile,
    ).toBe('/other/orgs/regulator/gateway-profile.json');
    expect(
      parseVerifyProofArguments(['--proof', '/p', '--profile', '/x/profile.json', '--network-dir', '/other'], {}, REPO)
        .profileFile,
    ).toBe('/x/profile.json');
    expect(
      parseVerifyProofArguments(
        ['--proof', '/p', '--record', '/r.json', '--channel', 'hospital-b', '--role', 'admin'],
        {},
        REPO,
      ),
    ).toMatchObject({
      recordFile: '/r.json',
      channel: 'hospital-b',
      role: 'admin',
    });
  });

  it('refuses a missing proof, unknown flags, flags without values and org names that are not slugs', () => {
    expect(usageErrorOf([])).toBe('--proof is required');
    expect(usageErrorOf(['--proof', '/p', '--verbose', 'x'])).toBe("unknown argument '--verbose'");
    expect(usageErrorOf(['--proof'])).toBe('--proof needs a value');
    expect(usageErrorOf(['--proof', '--org', 'regulator'])).toBe('--proof needs a value');
    expect(usageErrorOf(['--proof', '/p', '--org', '../../etc'])).toBe(
      "--org must be an org slug such as regulator, not '../../etc'",
    );
    expect(usageErrorOf(['--proof', '/p', 'stray'])).toBe("unknown argument 'stray'");
    expect(usageErrorOf(['--proof', '/p', '--channel'])).toBe('--channel needs a value');
  });

  it('takes --flag=value as well as --flag value', () => {
    expect(parseVerifyProofArguments(['--proof=/p', '--channel=hospital-b'], {}, REPO)).toMatchObject({
      proofFile: '/p',
      channel: 'hospital-b',
    });
  });
});
