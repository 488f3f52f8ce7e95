import { EventSequencer, formatEventId, parseEventId } from './event-position';

describe('event positions', () => {
  it('formats and parses <block>:<ordinal>, refusing anything else', () => {
    expect(formatEventId({ blockNumber: 12n, ordinal: 3 })).toBe('12:3');
    expect(parseEventId('12:3')).toEqual({ blockNumber: 12n, ordinal: 3 });
    for (const bad of ['', '12', '12:', ':3', '012:3', '12:03', '-1:0', '12:3:4', 'a:b'])
      expect(parseEventId(bad)).toBeUndefined();
  });

  it('numbers events per block and marks those up to the resume position as seen', () => {
    const sequencer = new EventSequencer({ blockNumber: 20n, ordinal: 1 });
    const placed = [20n, 20n, 20n, 21n, 21n].map((block) => sequencer.place(block));
    expect(placed.map(({ position, seen }) => `${formatEventId(position)}${seen ? ' seen' : ''}`)).toEqual([
      '20:0 seen',
      '20:1 seen',
      '20:2',
      '21:0',
      '21:1',
    ]);
  });

  it('marks nothing as seen for a fresh client, and restarts the peer stream at the resume block', () => {
    const fresh = new EventSequencer(undefined);
    expect(fresh.place(5n).seen).toBe(false);
    expect(EventSequencer.startBlock({ blockNumber: 20n, ordinal: 1 }, 3n)).toBe(20n);
    expect(EventSequencer.startBlock(undefined, 3n)).toBe(3n);
    expect(EventSequencer.startBlock(undefined, undefined)).toBeUndefined();
  });
});
