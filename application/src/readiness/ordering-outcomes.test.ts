import { OrderingOutcomes } from './ordering-outcomes';

describe('OrderingOutcomes', () => {
  it('reports a channel from its first refused submit until a submit is ordered, keeping when the outage began', () => {
    let now = 10_000;
    const outcomes = new OrderingOutcomes(30_000, () => now);
    expect(outcomes.unavailable()).toEqual([]);
    outcomes.refused('hospital-a', 'no Raft leader');
    now += 1_000;
    outcomes.refused('hospital-a', 'still no Raft leader');
    outcomes.ordered('research');
    expect(outcomes.unavailable()).toEqual([
      { channel: 'hospital-a', since: 10_000, lastError: 'still no Raft leader' },
    ]);
    outcomes.ordered('hospital-a');
    expect(outcomes.unavailable()).toEqual([]);
  });

  it('forgets a refusal once it is staleAfterMs old: without writes there is no evidence either way', () => {
    let now = 0;
    const outcomes = new OrderingOutcomes(30_000, () => now);
    outcomes.refused('hospital-a', 'no Raft leader');
    now = 29_999;
    expect(outcomes.unavailable()).toHaveLength(1);
    now = 30_000;
    expect(outcomes.unavailable()).toEqual([]);
  });
});
