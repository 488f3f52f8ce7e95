import { firstDifference } from './channel-founding';

describe('firstDifference (a genesis configuration against the one a member computes)', () => {
  const expected = {
    channel_group: {
      groups: { Application: { groups: { HospitalA: { root: 'a' }, Regulator: { root: 'r' } } } },
      values: { Consenters: [{ id: 1 }, { id: 2 }] },
    },
  };

  it('is undefined for equal configurations, whatever their key order', () => {
    const reordered = {
      channel_group: {
        values: { Consenters: [{ id: 1 }, { id: 2 }] },
        groups: { Application: { groups: { Regulator: { root: 'r' }, HospitalA: { root: 'a' } } } },
      },
    };
    expect(firstDifference(reordered, expected)).toBeUndefined();
  });

  it('names the path of an added member, a changed root and an added consenter', () => {
    const added = structuredClone(expected) as { channel_group: { groups: { Application: { groups: object } } } };
    added.channel_group.groups.Application.groups = { ...added.channel_group.groups.Application.groups, Evil: {} };
    expect(firstDifference(added, expected)).toBe('config.channel_group.groups.Application.groups.Evil');
    const rooted = structuredClone(expected);
    rooted.channel_group.groups.Application.groups.Regulator.root = 'forged';
    expect(firstDifference(rooted, expected)).toBe('config.channel_group.groups.Application.groups.Regulator.root');
    const consenters = structuredClone(expected);
    consenters.channel_group.values.Consenters.push({ id: 3 });
    expect(firstDifference(consenters, expected)).toBe('config.channel_group.values.Consenters.2');
    expect(firstDifference(undefined, expected)).toBe('config');
    expect(firstDifference({ a: [1] }, { a: { 0: 1 } })).toBe('config.a');
  });
});
