import { NetworkLayout } from './layout';
import { orderedOnlyChannels } from './orderer-group-revocation';
import { AI_PROVIDER, HOSPITAL_A, HOSPITAL_B } from './topology';

describe('orderedOnlyChannels', () => {
  const options = { dir: '/tmp/net', basePort: 20000, orderers: 3 as const, purgeIntervalBlocks: 1 };

  it('names, with bft, the channels an org’s node orders without the org being a member', () => {
    const bft = new NetworkLayout({ ...options, ordering: 'bft' });
    expect(orderedOnlyChannels(bft, HOSPITAL_A, ['hospital-a'])).toEqual(['hospital-b']);
    expect(orderedOnlyChannels(bft, HOSPITAL_B, ['hospital-b'])).toEqual(['hospital-a']);
    expect(orderedOnlyChannels(bft, AI_PROVIDER, ['hospital-a', 'hospital-b'])).toEqual([]);
    // A channel joined later is a member's channel: its CRL goes in by the members' update.
    expect(orderedOnlyChannels(bft, HOSPITAL_B, ['hospital-b', 'hospital-a'])).toEqual([]);
  });

  it('names none with Raft, where the members run no orderer node', () => {
    expect(
      orderedOnlyChannels(new NetworkLayout({ ...options, ordering: 'raft' }), HOSPITAL_A, ['hospital-a']),
    ).toEqual([]);
  });
});
