import {
  STATE_KEY_TYPES,
  ARTIFACT_QUERY_PATHS,
  sortedKeyJson,
  type ArtifactQueryPath,
  type StoredArtifact,
} from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { INDEX_MARKER, indexKey, indexRange } from '../ledger/index-keys';
import { stateBatchOf } from '../ledger/peer-state-batch';

/**
 * Artifacts live under a composite key each, plus one simple-key index entry per query path
 * (`ARTIFACT_QUERY_PATHS`),
 * `artifact-by-<path> ∘ value ∘ txTime ∘ id`, so a page of one kind, name or registering org comes
 * back in registration order. Artifacts are write-once, so index entries never change.
 */
const indexName = (path: ArtifactQueryPath): string => `artifact-by-${path}`;

export const artifactKey = (ctx: Context, id: string): string =>
  ctx.stub.createCompositeKey(STATE_KEY_TYPES.artifact, [id]);

export async function readArtifact(ctx: Context, id: string): Promise<StoredArtifact | undefined> {
  return decodeArtifact(await ctx.stub.getState(artifactKey(ctx, id)));
}

/** The artifacts with these ids that exist, in the given order, read in one message to the peer. */
export async function readArtifacts(ctx: Context, ids: readonly string[]): Promise<StoredArtifact[]> {
  const values = await stateBatchOf(ctx).getStates(ids.map((id) => artifactKey(ctx, id)));
  return values.flatMap((bytes) => decodeArtifact(bytes) ?? []);
}

function decodeArtifact(bytes: Uint8Array): StoredArtifact | undefined {
  return bytes.length === 0 ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as StoredArtifact);
}

/** Writes a new artifact and its index entries; returns the stored JSON. */
export async function writeArtifact(ctx: Context, artifact: StoredArtifact): Promise<string> {
  const json = sortedKeyJson(artifact);
  await ctx.stub.putState(artifactKey(ctx, artifact.id), Buffer.from(json));
  for (const path of ARTIFACT_QUERY_PATHS) {
    await ctx.stub.putState(indexKey(indexName(path), [artifact[path], artifact.txTime, artifact.id]), INDEX_MARKER);
  }
  return json;
}

/** The key range holding every artifact with this value of the path, oldest first. */
export function artifactIndexRange(path: ArtifactQueryPath, value: string): { startKey: string; endKey: string } {
  return indexRange(indexName(path), [value]);
}
