import type { Insertable } from 'kysely';
import type { AuditIndexDatabase } from './schema';
import { rollupOf, rollupRounds } from './usage-rollup';

type InteractionRow = Insertable<AuditIndexDatabase['interactions']>;

const row = (overrides: Partial<InteractionRow>): InteractionRow =>
  ({
    channel: 'hospital-a',
    tx_time: '2026-03-01T12:00:00.000Z',
    org: 'HospitalAMSP',
    request_model: 'gpt-4o',
    actor_ref: null,
    application_id: 'app-1',
    subject_ref: null,
    cost_currency: null,
    is_error: 0,
    input_tokens: 10,
    output_tokens: 2,
    cache_read_tokens: null,
    reasoning_tokens: null,
    cost_amount_minor: null,
    ...overrides,
  }) as InteractionRow;

describe('rollupOf', () => {
  it('sums rows per channel, hour and key', () => {
    const rollup = rollupOf([
      row({}),
      row({ input_tokens: 5, is_error: 1 }),
      row({ tx_time: '2026-03-01T13:10:00.000Z' }),
      row({ application_id: 'app-2' }),
    ]);
    expect(rollup.map((sum) => [sum.hour, sum.application_id, sum.calls, sum.error_calls, sum.input_tokens])).toEqual([
      ['2026-03-01T12', 'app-1', 2, 1, 15],
      ['2026-03-01T13', 'app-1', 1, 0, 10],
      ['2026-03-01T12', 'app-2', 1, 0, 10],
    ]);
  });

  it('keeps every sum exact: a key whose sum would pass 2^53 − 1 gets a further row, upserted in a later round', () => {
    const big = Number.MAX_SAFE_INTEGER - 1;
    const rollup = rollupOf([row({ input_tokens: big }), row({ input_tokens: big }), row({ input_tokens: 1 })]);
    expect(rollup.map((sum) => [sum.calls, sum.input_tokens])).toEqual([
      [1, big],
      [2, big + 1],
    ]);
    for (const sum of rollup) expect(Number.isSafeInteger(sum.input_tokens)).toBe(true);
    // One upsert statement may change a row once: the key's second row goes in the second round.
    const rounds = rollupRounds([...rollup, ...rollupOf([row({ application_id: 'app-2' })])]);
    expect(rounds.map((round) => round.map((sum) => [sum.application_id, sum.calls]))).toEqual([
      [
        ['app-1', 1],
        ['app-2', 1],
      ],
      [['app-1', 2]],
    ]);
  });
});
