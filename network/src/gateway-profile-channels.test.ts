import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NetworkError } from './errors';
import { addChannelToGatewayProfile, channelsToKeep } from './gateway-profile-channels';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aal-profile-'));
  path = join(dir, 'gateway-profile.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('addChannelToGatewayProfile', () => {
  it('adds the channel after the listed ones and keeps every other field and the mode', () => {
    writeFileSync(path, JSON.stringify({ org: 'HospitalB', channels: ['hospital-b'], chaincode: 'audit' }), {
      mode: 0o640,
    });
    expect(addChannelToGatewayProfile(path, 'hospital-a')).toBe('added');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      org: 'HospitalB',
      channels: ['hospital-b', 'hospital-a'],
      chaincode: 'audit',
    });
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('changes nothing when the channel is listed already', () => {
    const text = JSON.stringify({ channels: ['hospital-b', 'hospital-a'] });
    writeFileSync(path, text);
    expect(addChannelToGatewayProfile(path, 'hospital-a')).toBe('already-listed');
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('answers no-profile when the org has no profile here, and writes none', () => {
    expect(addChannelToGatewayProfile(path, 'hospital-a')).toBe('no-profile');
    expect(() => statSync(path)).toThrow();
  });

  it.each([
    ['not JSON', '{"channels": ['],
    ['no channels', '{"org":"HospitalB"}'],
    ['channels not names', '{"channels":[1]}'],
  ])('refuses a profile that is %s with INVALID_CONFIG and leaves it as it was', (_what, text) => {
    writeFileSync(path, text);
    expect(() => addChannelToGatewayProfile(path, 'hospital-a')).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }) as NetworkError,
    );
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

describe('channelsToKeep', () => {
  it("lists the org's own channels, then those the existing profile lists beyond them", () => {
    writeFileSync(path, JSON.stringify({ channels: ['hospital-b', 'hospital-a'] }));
    expect(channelsToKeep(path, ['hospital-b'])).toEqual(['hospital-b', 'hospital-a']);
  });

  it('lists the own channels alone without a profile, or with one that cannot be read', () => {
    expect(channelsToKeep(path, ['hospital-b'])).toEqual(['hospital-b']);
    writeFileSync(path, '{"channels": [');
    expect(channelsToKeep(path, ['hospital-b'])).toEqual(['hospital-b']);
    writeFileSync(path, JSON.stringify({ channels: [7, 'hospital-a'] }));
    expect(channelsToKeep(path, ['hospital-b'])).toEqual(['hospital-b', 'hospital-a']);
  });
});
