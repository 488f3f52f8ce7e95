import type { ChannelConfigJson } from './channel-config-json';
import {
  BFT_MINIMUM_CONSENTERS,
  bftQuorum,
  consenters,
  describeConsenterChange,
  isBftChannel,
  ordererOrgMspIds,
  withConsenter,
  withoutConsenter,
  type ConsenterJson,
  type NewConsenter,
} from './channel-consenters';
import { NetworkError } from './errors';

const FOUNDERS = ['HospitalA', 'HospitalB', 'AIProvider', 'Regulator'];

const consenterOf = (name: string, id: number): ConsenterJson => ({
  id,
  msp_id: `${name}MSP`,
  host: `10.0.0.${id}`,
  port: 7050,
  identity: 'aWQ=',
  client_tls_cert: 'dGxz',
  server_tls_cert: 'dGxz',
});

/** A bft channel config as configtxlator prints it, with the founders' four consenters (ids 1..4). */
const bftConfig = (): ChannelConfigJson =>
  ({
    channel_group: {
      groups: {
        Application: { groups: {} },
        Orderer: {
          groups: Object.fromEntries(
            FOUNDERS.map((name) => [name, { values: { MSP: { value: { config: { name: `${name}MSP` } } } } }]),
          ),
          values: { Orderers: { value: { consenter_mapping: FOUNDERS.map((name, i) => consenterOf(name, i + 1)) } } },
          policies: { BlockValidation: { mod_policy: 'Admins', policy: { type: 1, value: {} }, version: '0' } },
        },
      },
    },
  }) as ChannelConfigJson;

const hospitalC: NewConsenter = {
  name: 'HospitalC',
  mspId: 'HospitalCMSP',
  group: { values: { MSP: { value: { config: { name: 'HospitalCMSP' } } } } },
  endpoint: { host: '10.0.0.9', port: 7050 },
  identityCert: '-----BEGIN CERTIFICATE-----\nidentity\n',
  tlsCert: '-----BEGIN CERTIFICATE-----\ntls\n',
};

describe('channel consenters', () => {
  it('computes SmartBFT’s quorum as Fabric does', () => {
    expect([1, 4, 5, 6, 7, 10].map(bftQuorum)).toEqual([1, 3, 4, 4, 5, 7]);
  });

  it('reads the consenters and the Orderer group’s orgs of a bft channel', () => {
    expect(isBftChannel(bftConfig())).toBe(true);
    expect(consenters(bftConfig()).map((consenter) => consenter.id)).toEqual([1, 2, 3, 4]);
    expect(ordererOrgMspIds(bftConfig())).toEqual(['AIProviderMSP', 'HospitalAMSP', 'HospitalBMSP', 'RegulatorMSP']);
  });

  it('a channel without a consenter mapping is not bft and takes no consenter', () => {
    const raft: ChannelConfigJson = { channel_group: { groups: { Application: { groups: {} } } } };
    expect(isBftChannel(raft)).toBe(false);
    expect(() => withConsenter(raft, 'hospital-a', hospitalC)).toThrow('the channel is not ordered by SmartBFT');
  });

  it('withConsenter adds the org to the Orderer group and its node under the next id, in a copy', () => {
    const original = bftConfig();
    const updated = withConsenter(original, 'hospital-a', hospitalC);
    expect(ordererOrgMspIds(updated)).toContain('HospitalCMSP');
    expect(consenters(updated).at(-1)).toEqual({
      id: 5,
      msp_id: 'HospitalCMSP',
      host: '10.0.0.9',
      port: 7050,
      identity: Buffer.from(hospitalC.identityCert).toString('base64'),
      client_tls_cert: Buffer.from(hospitalC.tlsCert).toString('base64'),
      server_tls_cert: Buffer.from(hospitalC.tlsCert).toString('base64'),
    });
    expect(consenters(original)).toHaveLength(4);
    // Blocks are then valid with four of the five consenters' signatures, identities in mapping order.
    const validation = (
      updated.channel_group.groups as unknown as { Orderer: { policies: { BlockValidation: unknown } } }
    ).Orderer.policies.BlockValidation;
    expect(validation).toEqual({
      mod_policy: 'Admins',
      version: '0',
      policy: {
        type: 1,
        value: {
          identities: consenters(updated).map((consenter) => ({
            principal: { id_bytes: consenter.identity, mspid: consenter.msp_id },
            principal_classification: 'IDENTITY',
          })),
          rule: { n_out_of: { n: 4, rules: [0, 1, 2, 3, 4].map((i) => ({ signed_by: i })) } },
          version: 0,
        },
      },
    });
    expect(ordererOrgMspIds(original)).not.toContain('HospitalCMSP');
  });

  it('withConsenter refuses another org’s group name or certificates', () => {
    expect(() => withConsenter(bftConfig(), 'hospital-a', { ...hospitalC, name: 'HospitalB' })).toThrow(
      'its Orderer group has an org named HospitalB already',
    );
    const copied = { ...hospitalC, identityCert: Buffer.from('aWQ=', 'base64').toString('utf8') };
    expect(() => withConsenter(bftConfig(), 'hospital-a', copied)).toThrow(
      'consenter 1 (HospitalAMSP) has the same certificate',
    );
  });

  it('withConsenter refuses an org that orders the channel already, or an endpoint taken', () => {
    const added = withConsenter(bftConfig(), 'hospital-a', hospitalC);
    expect(() => withConsenter(added, 'hospital-a', hospitalC)).toThrow(NetworkError);
    expect(() =>
      withConsenter(bftConfig(), 'hospital-a', { ...hospitalC, mspId: 'HospitalAMSP', name: 'HospitalA' }),
    ).toThrow('cannot order channel hospital-a: HospitalAMSP runs an orderer node of it already');
    expect(() =>
      withConsenter(bftConfig(), 'hospital-a', { ...hospitalC, endpoint: { host: '10.0.0.1', port: 7050 } }),
    ).toThrow('it has a consenter at 10.0.0.1:7050 already');
  });

  it('withoutConsenter takes out a node while at least four consenters stay', () => {
    const added = withConsenter(bftConfig(), 'hospital-a', hospitalC);
    const removed = withoutConsenter(added, 'hospital-a', 'HospitalCMSP', false);
    expect(consenters(removed)).toEqual(consenters(bftConfig()));
    expect(ordererOrgMspIds(removed)).toEqual(ordererOrgMspIds(bftConfig()));
    // Five consenters: any one may leave, a founder's node too.
    expect(
      consenters(withoutConsenter(added, 'hospital-a', 'HospitalBMSP', true)).map((consenter) => consenter.msp_id),
    ).not.toContain('HospitalBMSP');
  });

  it('a member that joined later never keeps a seat: its removal is refused when fewer than four would stay', () => {
    const added = withConsenter(bftConfig(), 'hospital-a', hospitalC);
    const founderGone = withoutConsenter(added, 'hospital-a', 'HospitalBMSP', true);
    expect(() => withoutConsenter(founderGone, 'hospital-a', 'HospitalCMSP', false)).toThrow(
      "removing HospitalCMSP's orderer node would leave channel hospital-a 3 consenters",
    );
  });

  it('describes a consenter change for the signers', () => {
    const added = withConsenter(bftConfig(), 'hospital-a', hospitalC);
    expect(describeConsenterChange(bftConfig(), added)).toBe(
      "adds HospitalCMSP's node 10.0.0.9:7050 (consenter 5): 4 → 5 consenters, 3 → 4 sign each block",
    );
    expect(describeConsenterChange(added, withoutConsenter(added, 'hospital-a', 'HospitalCMSP', false))).toBe(
      "removes HospitalCMSP's node 10.0.0.9:7050 (consenter 5): 5 → 4 consenters, 4 → 3 sign each block",
    );
    expect(describeConsenterChange(bftConfig(), bftConfig())).toBeUndefined();
  });

  it(`withoutConsenter keeps a founder's node that is one of the last ${BFT_MINIMUM_CONSENTERS}, and ignores an org that runs none`, () => {
    const config = bftConfig();
    expect(withoutConsenter(config, 'hospital-a', 'HospitalBMSP', true)).toBe(config);
    expect(withoutConsenter(config, 'hospital-a', 'HospitalCMSP', false)).toBe(config);
  });
});
