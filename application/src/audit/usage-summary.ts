import type { StoredInteraction } from '@aal/ledger-contract';

/** What a usage summary groups calls by. */
export const USAGE_GROUPINGS = ['model', 'actor', 'application', 'day', 'org'] as const;
export type UsageGrouping = (typeof USAGE_GROUPINGS)[number];

/** Token, call and cost totals of a set of calls. */
export interface UsageTotals {
  calls: number;
  errorCalls: number;
  tokens: { input: number; output: number; cacheRead: number; reasoning: number };
  /**
   * Priced and provider-billed calls, per currency, in minor units. Amounts in different currencies
   * are never added together.
   */
  cost: { byCurrency: { currency: string; amountMinor: number; calls: number }[]; unpricedCalls: number };
}

/** One group of a summary; `key` is null for calls without the grouped field (e.g. no actorRef). */
export interface UsageGroup extends UsageTotals {
  readonly key: string | null;
}

/** Thrown when a summary would hold more groups than it may keep in memory. */
export class TooManyGroupsError extends Error {
  override readonly name = 'TooManyGroupsError';
}

function emptyTotals(): UsageTotals {
  return {
    calls: 0,
    errorCalls: 0,
    tokens: { input: 0, output: 0, cacheRead: 0, reasoning: 0 },
    cost: { byCurrency: [], unpricedCalls: 0 },
  };
}

function groupKey(record: StoredInteraction, groupBy: UsageGrouping): string | null {
  switch (groupBy) {
    case 'model':
      return record.requestModel;
    case 'actor':
      return record.actorRef ?? null;
    case 'application':
      return record.applicationId;
    case 'day':
      // txTime is always written as UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, so its first ten characters are the UTC day.
      return record.txTime.slice(0, 10);
    case 'org':
      return record.org;
  }
}

function addTo(totals: UsageTotals, record: StoredInteraction): void {
  totals.calls += 1;
  if (record['status'] === 'error') totals.errorCalls += 1;
  totals.tokens.input += record.usage.inputTokens;
  totals.tokens.output += record.usage.outputTokens;
  totals.tokens.cacheRead += record.usage.cacheReadTokens ?? 0;
  totals.tokens.reasoning += record.usage.reasoningTokens ?? 0;
  const { status, amountMinor, currency } = record.cost;
  // An unpriced call has no amount: counting it as 0 would understate the cost, so it is counted apart.
  if (status === 'unpriced' || amountMinor === undefined || currency === undefined) {
    totals.cost.unpricedCalls += 1;
    return;
  }
  let entry = totals.cost.byCurrency.find((candidate) => candidate.currency === currency);
  if (entry === undefined) {
    entry = { currency, amountMinor: 0, calls: 0 };
    totals.cost.byCurrency.push(entry);
    totals.cost.byCurrency.sort((a, b) => (a.currency < b.currency ? -1 : 1));
  }
  entry.amountMinor += amountMinor;
  entry.calls += 1;
}

/**
 * Sums tokens, calls and costs of interactions fed one at a time, overall and per group. Memory
 * grows with the number of groups, never with the number of records.
 */
export class UsageSummary {
  readonly totals = emptyTotals();
  private readonly groups = new Map<string | null, UsageTotals>();
  private recordCount = 0;

  constructor(
    readonly groupBy: UsageGrouping,
    private readonly maxGroups: number,
  ) {}

  /** Adds one call. @throws TooManyGroupsError past `maxGroups` distinct groups */
  add(record: StoredInteraction): void {
    const key = groupKey(record, this.groupBy);
    let group = this.groups.get(key);
    if (group === undefined) {
      if (this.groups.size >= this.maxGroups) throw new TooManyGroupsError(`more than ${this.maxGroups} groups`);
      group = emptyTotals();
      this.groups.set(key, group);
    }
    addTo(group, record);
    addTo(this.totals, record);
    this.recordCount += 1;
  }

  get records(): number {
    return this.recordCount;
  }

  /** The groups, ordered by key (calls without the grouped field last). */
  groupList(): UsageGroup[] {
    return [...this.groups.entries()]
      .map(([key, totals]) => ({ key, ...totals }))
      .sort((a, b) => (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1));
  }
}
