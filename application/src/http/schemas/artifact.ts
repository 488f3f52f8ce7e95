import { artifactFilterSchema, sha256Hex } from '@aal/ledger-contract';
import { z } from 'zod';
import { pageQueryShape } from './paging';

/** `GET …/artifacts`: the contract's filter, paged by `pageSize` and `cursor` query parameters. */
export const artifactQuerySchema = z.strictObject({
  by: artifactFilterSchema.shape.by,
  value: artifactFilterSchema.shape.value,
  ...pageQueryShape,
});

export const verifyArtifactRequestSchema = z.strictObject({ sha256: sha256Hex() });

export const artifactVerificationSchema = z.looseObject({
  id: z.string(),
  match: z.boolean(),
  registeredSha256: z.string(),
});
