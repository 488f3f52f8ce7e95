import { OrderingOutcomes } from './ordering-outcomes';

const TIMING = { refusalStaleMs: 30_000, stalledAfterMs: 10_000 };

describe('OrderingOutcomes', () => {
  it('reports a channel from its first refused submit until a submit is ordered, keeping when the outage began', () => {
    let now = 10_000;
    const outcomes = new OrderingOutcomes(TIMING, () => now);
    expect(outcomes.unavailable()).toEqual([]);
    outcomes.refused('hospital-a', 'no Raft leader');
    now += 1_000;
    outcomes.refused('hospital-a', 'still no Raft leader');
    outcomes.ordered('research');
    expect(outcomes.unavailable()).toEqual([
      { channel: 'hospital-a', since: 10_000, lastError: 'still no Raft leader', reason: 'refused' },
    ]);
    outcomes.ordered('hospital-a');
    expect(outcomes.unavailable()).toEqual([]);
  });

  it('forgets a refusal once it is staleAfterMs old: without writes there is no evidence either way', () => {
    let now = 0;
    const outcomes = new OrderingOutcomes(TIMING, () => now);
    outcomes.refused('hospital-a', 'no Raft leader');
    now = 29_999;
    expect(outcomes.unavailable()).toHaveLength(1);
    now = 30_000;
    expect(outcomes.unavailable()).toEqual([]);
  });

  it('reports a channel whose submits wait with none ordered for stalledAfterMs, until one is ordered', () => {
    let now = 100_000;
    const outcomes = new OrderingOutcomes(TIMING, () => now);
    outcomes.ordered('hospital-a');
    now += 5_000;
    const first = outcomes.started('hospital-a');
    outcomes.started('hospital-a');
    now += 9_999;
    expect(outcomes.unavailable()).toEqual([]);
    now += 1;
    expect(outcomes.unavailable()).toEqual([
      {
        channel: 'hospital-a',
        since: 105_000,
        reason: 'stalled',
        lastError: '2 submit(s) waiting, the oldest for 10 s; none ordered since 1970-01-01T00:01:40.000Z',
      },
    ]);
    // A submit that ends at its deadline and is retried does not end the stall; one that is ordered does.
    first();
    const retried = outcomes.started('hospital-a');
    const [stall] = outcomes.unavailable();
    expect(stall?.since).toBe(105_000);
    expect(stall?.lastError).toMatch(/^2 submit\(s\) waiting/);
    outcomes.ordered('hospital-a');
    retried();
    expect(outcomes.unavailable()).toEqual([]);
  });

  it('reports nothing once no submit waits: without writes there is no evidence either way', () => {
    let now = 0;
    const outcomes = new OrderingOutcomes(TIMING, () => now);
    const only = outcomes.started('hospital-a');
    now = 12_000;
    expect(outcomes.unavailable()).toMatchObject([{ channel: 'hospital-a', reason: 'stalled', since: 0 }]);
    only();
    expect(outcomes.unavailable()).toEqual([]);
  });

  it('does not call busy writing a stall: submits wait long while others are ordered', () => {
    let now = 0;
    const outcomes = new OrderingOutcomes(TIMING, () => now);
    const slow = outcomes.started('hospital-a');
    now = 8_000;
    outcomes.ordered('hospital-a');
    now = 15_000;
    expect(outcomes.unavailable()).toEqual([]);
    slow();
    now = 60_000;
    expect(outcomes.unavailable()).toEqual([]);
  });

  it('a definitive answer ends a stall, and an old failure says nothing about a submit after a quiet spell', () => {
    let now = 0;
    const outcomes = new OrderingOutcomes(TIMING, () => now);
    // The chaincode refused a submit: the peers answered.
    outcomes.started('hospital-a')();
    outcomes.answered('hospital-a');
    now = 30_000;
    const after = outcomes.started('hospital-a');
    expect(outcomes.unavailable()).toEqual([]);
    after();
    // A transient failure, then nothing for longer than stalledAfterMs: a new submit starts afresh.
    now = 31_000;
    outcomes.started('hospital-a')();
    now = 60_000;
    outcomes.started('hospital-a');
    now = 60_500;
    expect(outcomes.unavailable()).toEqual([]);
    now = 70_000;
    expect(outcomes.unavailable()).toMatchObject([{ channel: 'hospital-a', reason: 'stalled', since: 60_000 }]);
  });
});
