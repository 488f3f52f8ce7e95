/** What a usage summary must say of these interaction requests, computed from the requests alone. */
export function expectedTotals(records: readonly Record<string, unknown>[]): unknown {
  const byCurrency = new Map<string, { currency: string; amountMinor: number; calls: number }>();
  const tokens = { input: 0, output: 0, cacheRead: 0, reasoning: 0 };
  let unpricedCalls = 0;
  for (const record of records) {
    const usage = record['usage'] as { inputTokens: number; outputTokens: number; cacheReadTokens: number };
    tokens.input += usage.inputTokens;
    tokens.output += usage.outputTokens;
    tokens.cacheRead += usage.cacheReadTokens;
    const cost = record['cost'] as { status: string; amountMinor?: number; currency?: string };
    if (cost.currency === undefined || cost.amountMinor === undefined) {
      unpricedCalls += 1;
      continue;
    }
    const entry = byCurrency.get(cost.currency) ?? { currency: cost.currency, amountMinor: 0, calls: 0 };
    entry.amountMinor += cost.amountMinor;
    entry.calls += 1;
    byCurrency.set(cost.currency, entry);
  }
  return {
    calls: records.length,
    errorCalls: 0,
    tokens,
    cost: { byCurrency: [...byCurrency.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)), unpricedCalls },
  };
}
