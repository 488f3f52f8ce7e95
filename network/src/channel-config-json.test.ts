import {
  applicationOrgs,
  memberMspIds,
  mspDefinition,
  ordererOrgMsps,
  withMember,
  withoutMember,
  withOrdererRevocationList,
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

  it('withRevocationList changes the org’s MSP in the Orderer group too (bft), and no other orderer org', () => {
    const original = config();
    (original.channel_group.groups as Record<string, unknown>).Orderer = {
      groups: {
        HospitalA: { values: { MSP: { value: { config: { name: 'HospitalAMSP', root_certs: ['cm9vdA=='] } } } } },
        Regulator: { values: { MSP: { value: { config: { name: 'RegulatorMSP', revocation_list: ['b2xk'] } } } } },
      },
    };
    const updated = withRevocationList(original, 'hospital-a', 'HospitalAMSP', ['crl']);
    const crl = [Buffer.from('crl').toString('base64')];
    expect(mspDefinition(updated, 'c', 'HospitalAMSP').revocation_list).toEqual(crl);
    expect(ordererOrgMsps(updated, 'HospitalAMSP')).toEqual([
      { name: 'HospitalAMSP', root_certs: ['cm9vdA=='], revocation_list: crl },
    ]);
    expect(ordererOrgMsps(updated, 'RegulatorMSP')).toEqual([{ name: 'RegulatorMSP', revocation_list: ['b2xk'] }]);
    expect(ordererOrgMsps(original, 'HospitalAMSP')[0]?.revocation_list).toBeUndefined();
    // Raft: the orderers are an org of their own, and no application org's MSP is in the Orderer group.
    expect(ordererOrgMsps(config(), 'HospitalAMSP')).toEqual([]);
  });

  it('withOrdererRevocationList changes only the Orderer-group MSP of an org that orders without being a member', () => {
    const original = config();
    (original.channel_group.groups as Record<string, unknown>).Orderer = {
      groups: {
        HospitalB: { values: { MSP: { value: { config: { name: 'HospitalBMSP', root_certs: ['cm9vdA=='] } } } } },
        Regulator: { values: { MSP: { value: { config: { name: 'RegulatorMSP', revocation_list: ['b2xk'] } } } } },
      },
    };
    const updated = withOrdererRevocationList(original, 'hospital-a', 'HospitalBMSP', ['crl']);
    expect(ordererOrgMsps(updated, 'HospitalBMSP')).toEqual([
      { name: 'HospitalBMSP', root_certs: ['cm9vdA=='], revocation_list: [Buffer.from('crl').toString('base64')] },
    ]);
    expect(applicationOrgs(updated)).toEqual(applicationOrgs(original));
    expect(ordererOrgMsps(original, 'HospitalBMSP')[0]?.revocation_list).toBeUndefined();
    expect(() => withOrdererRevocationList(config(), 'hospital-a', 'HospitalBMSP', ['crl'])).toThrow(
      'HospitalBMSP runs no orderer node of channel hospital-a',
    );
  });

  it('withMember adds the org’s group in a copy, refusing a member or group name the channel has', () => {
    const group = { values: { MSP: { value: { config: { name: 'HospitalBMSP' } } } } };
    const original = config();
    const updated = withMember(original, 'hospital-a', 'HospitalB', 'HospitalBMSP', group);
    expect(memberMspIds(updated)).toEqual(['HospitalAMSP', 'HospitalBMSP', 'RegulatorMSP']);
    expect(memberMspIds(original)).toEqual(['HospitalAMSP', 'RegulatorMSP']);
    expect(() => withMember(updated, 'hospital-a', 'HospitalB', 'HospitalBMSP', group)).toThrow(
      'HospitalB (HospitalBMSP) is already a member of channel hospital-a',
    );
    expect(() => withMember(original, 'hospital-a', 'Regulator', 'OtherMSP', group)).toThrow('already a member');
  });

  it('withMember refuses a name or MSP id that another org of the Orderer group has (bft)', () => {
    const original = config();
    (original.channel_group.groups as Record<string, unknown>).Orderer = {
      groups: { HospitalB: { values: { MSP: { value: { config: { name: 'HospitalBMSP' } } } } } },
    };
    const group = { values: { MSP: { value: { config: { name: 'HospitalDMSP' } } } } };
    expect(() => withMember(original, 'hospital-a', 'HospitalB', 'HospitalDMSP', group)).toThrow(
      'HospitalB (HospitalDMSP) clashes with HospitalB (HospitalBMSP), which orders channel hospital-a',
    );
    expect(() => withMember(original, 'hospital-a', 'HospitalD', 'HospitalBMSP', group)).toThrow('clashes with');
    // The org that orders it joins under its own name and MSP id.
    const own = { values: { MSP: { value: { config: { name: 'HospitalBMSP' } } } } };
    expect(memberMspIds(withMember(original, 'hospital-a', 'HospitalB', 'HospitalBMSP', own))).toContain(
      'HospitalBMSP',
    );
  });

  it('withMember gives the new member’s revocation list to its MSP in the Orderer group (bft), in a copy', () => {
    const original = config();
    (original.channel_group.groups as Record<string, unknown>).Orderer = {
      groups: {
        HospitalB: { values: { MSP: { value: { config: { name: 'HospitalBMSP', revocation_list: ['b2xk'] } } } } },
      },
    };
    const withCrl = { values: { MSP: { value: { config: { name: 'HospitalBMSP', revocation_list: ['bmV3'] } } } } };
    const added = withMember(original, 'hospital-a', 'HospitalB', 'HospitalBMSP', withCrl);
    expect(ordererOrgMsps(added, 'HospitalBMSP')).toEqual([{ name: 'HospitalBMSP', revocation_list: ['bmV3'] }]);
    const withoutCrl = { values: { MSP: { value: { config: { name: 'HospitalBMSP' } } } } };
    expect(
      ordererOrgMsps(withMember(original, 'hospital-a', 'HospitalB', 'HospitalBMSP', withoutCrl), 'HospitalBMSP'),
    ).toEqual([{ name: 'HospitalBMSP' }]);
    expect(ordererOrgMsps(original, 'HospitalBMSP')).toEqual([{ name: 'HospitalBMSP', revocation_list: ['b2xk'] }]);
  });

  it('withoutMember removes the org in a copy, refusing a non-member and the last member', () => {
    const original = config();
    expect(memberMspIds(withoutMember(original, 'hospital-a', 'RegulatorMSP'))).toEqual(['HospitalAMSP']);
    expect(memberMspIds(original)).toEqual(['HospitalAMSP', 'RegulatorMSP']);
    expect(() => withoutMember(original, 'hospital-a', 'HospitalBMSP')).toThrow(
      'HospitalBMSP is not a member of channel hospital-a',
    );
    const alone = withoutMember(original, 'hospital-a', 'RegulatorMSP');
    expect(() => withoutMember(alone, 'hospital-a', 'HospitalAMSP')).toThrow(
      'HospitalAMSP is the last member of channel hospital-a: it cannot be removed',
    );
  });
});
