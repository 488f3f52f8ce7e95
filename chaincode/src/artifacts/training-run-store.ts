import { STATE_KEY_TYPES, sortedKeyJson, type StoredTrainingRun } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';

const trainingRunKey = (ctx: Context, id: string): string =>
  ctx.stub.createCompositeKey(STATE_KEY_TYPES.trainingRun, [id]);

export async function readTrainingRun(ctx: Context, id: string): Promise<StoredTrainingRun | undefined> {
  const bytes = await ctx.stub.getState(trainingRunKey(ctx, id));
  return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredTrainingRun);
}

/** Writes a new training run; returns the stored JSON. */
export async function writeTrainingRun(ctx: Context, run: StoredTrainingRun): Promise<string> {
  const json = sortedKeyJson(run);
  await ctx.stub.putState(trainingRunKey(ctx, run.id), Buffer.from(json));
  return json;
}
