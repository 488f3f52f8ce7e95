import type { Context } from 'fabric-contract-api';
import { canonicalJson } from '../canonical-json';
import { array, commitment, id, label, object, oneOf, optional, type ObjectOf } from '../validation/rules';

/**
 * Annotations: reviews and flags linked to an interaction, stored beside it so the interaction
 * itself never changes. Free text is not accepted (it could carry personal data); a note is a
 * commitment to text kept off-chain.
 */
export const MAX_ANNOTATION_BYTES = 4096;

const annotationShape = {
  id: id(),
  kind: oneOf(['review', 'flag', 'resolution'] as const),
  severity: optional(oneOf(['info', 'low', 'medium', 'high', 'critical'] as const)),
  labels: optional(array(label(64), { maxItems: 16, unique: true })),
  noteCommitment: optional(commitment()),
};
export type AnnotationInput = ObjectOf<typeof annotationShape>;
export const annotationInput = object(annotationShape);
export const ANNOTATION_INPUT_FIELDS = Object.keys(annotationShape) as (keyof AnnotationInput)[];

/** An annotation as stored: linked to its interaction, with who and when from the ledger. */
export interface StoredAnnotation extends AnnotationInput {
  readonly interactionId: string;
  readonly org: string;
  readonly annotatedBy: string;
  readonly txId: string;
  readonly txTime: string;
}

const RECORD_TYPE = 'annotation';

export function annotationKey(ctx: Context, interactionId: string, annotationId: string): string {
  return ctx.stub.createCompositeKey(RECORD_TYPE, [interactionId, annotationId]);
}

export async function readAnnotation(ctx: Context, interactionId: string, annotationId: string): Promise<StoredAnnotation | undefined> {
  const data = await ctx.stub.getState(annotationKey(ctx, interactionId, annotationId));
  return data.length === 0 ? undefined : (JSON.parse(Buffer.from(data).toString('utf8')) as StoredAnnotation);
}

export async function writeAnnotation(ctx: Context, annotation: StoredAnnotation): Promise<void> {
  await ctx.stub.putState(annotationKey(ctx, annotation.interactionId, annotation.id), Buffer.from(canonicalJson(annotation)));
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
