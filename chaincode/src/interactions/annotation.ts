import { STATE_KEY_TYPES, sortedKeyJson, type StoredAnnotation } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';

/**
 * Annotations: reviews and flags linked to an interaction, stored beside it so the interaction
 * itself never changes. Their shape (no free text: a note is a commitment) is the contract's
 * `annotationInputSchema`.
 */
const RECORD_TYPE = STATE_KEY_TYPES.annotation;

export function annotationKey(ctx: Context, interactionId: string, annotationId: string): string {
  return ctx.stub.createCompositeKey(RECORD_TYPE, [interactionId, annotationId]);
}

export async function readAnnotation(
  ctx: Context,
  interactionId: string,
  annotationId: string,
): Promise<StoredAnnotation | undefined> {
  const data = await ctx.stub.getState(annotationKey(ctx, interactionId, annotationId));
  return data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as StoredAnnotation);
}

export async function writeAnnotation(ctx: Context, annotation: StoredAnnotation): Promise<void> {
  await ctx.stub.putState(
    annotationKey(ctx, annotation.interactionId, annotation.id),
    Buffer.from(sortedKeyJson(annotation)),
  );
}

/** Every annotation of an interaction, oldest first (ties by id). */
export async function annotationsOf(ctx: Context, interactionId: string): Promise<StoredAnnotation[]> {
  const annotations: StoredAnnotation[] = [];
  const iterator = await ctx.stub.getStateByPartialCompositeKey(RECORD_TYPE, [interactionId]);
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      annotations.push(JSON.parse(Buffer.from(next.value.value).toString('utf8')) as StoredAnnotation);
    }
  } finally {
    await iterator.close();
  }
  return annotations.sort((a, b) => (a.txTime === b.txTime ? (a.id < b.id ? -1 : 1) : a.txTime < b.txTime ? -1 : 1));
}
