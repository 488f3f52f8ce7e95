import {
  applicationOrgs,
  memberMspIds,
  mspDefinition,
  withRevocationList,
  type ChannelConfigJson,
} from './channel-config-json';

const config = (): ChannelConfigJson => ({
  sequence: '3',
  channel_group: {
    groups: {
      Application: {
        groups: {
          HospitalA: { values: { MSP: { value: { config: { name: 'HospitalAMSP', root_certs: ['cm9vdA=='] } } } } },
          Regulator: { values: { MSP: { value: { config: { name: 'RegulatorMSP', revocation_list: ['b2xk'] } } } } },
        },
      },
    },
  },
});

describe('channel config JSON', () => {
  it('lists the application orgs and their MSP ids', () => {
    expect(applicationOrgs(config()).map((org) => org.group)).toEqual(['HospitalA', 'Regulator']);
    expect(memberMspIds(config())).toEqual(['HospitalAMSP', 'RegulatorMSP']);
  });

  it('names the members when an org is not one', () => {
    expect(() => mspDefinition(config(), 'hospital-a', 'HospitalBMSP')).toThrow(
      'HospitalBMSP is not a member of channel hospital-a (members: HospitalAMSP, RegulatorMSP)',
    );
  });

  it('withRevocationList replaces exactly that org’s CRLs, in a copy', () => {
    const original = config();
    const updated = withRevocationList(original, 'hospital-a', 'RegulatorMSP', ['-----BEGIN X509 CRL-----\n']);
    expect(mspDefinition(updated, 'c', 'RegulatorMSP').revocation_list).toEqual([
      Buffer.from('-----BEGIN X509 CRL-----\n').toString('base64'),
    ]);
    expect(mspDefinition(updated, 'c', 'HospitalAMSP')).toEqual(mspDefinition(original, 'c', 'HospitalAMSP'));
    expect(mspDefinition(original, 'c', 'RegulatorMSP').revocation_list).toEqual(['b2xk']);
    expect(updated.sequence).toBe('3');
  });
});
