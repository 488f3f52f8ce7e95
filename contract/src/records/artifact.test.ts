import type { z } from 'zod';
import type { FieldViolation } from '../errors/contract-error';
import { artifactInputSchema, trainingRunInputSchema } from './artifact';
import { collectViolations } from './validate';

function violationsOf(schema: z.ZodType, value: unknown): string[] {
  const violations: FieldViolation[] = [];
  collectViolations(schema, value, violations);
  return violations.map((violation) => `${violation.path}: ${violation.rule}`);
}

const artifact = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'd-1',
  kind: 'dataset',
  name: 'discharge notes',
  version: '2026.1',
  sha256: 'a'.repeat(64),
  ...overrides,
});

describe('artifact input schema', () => {
  it('accepts a valid artifact with lineage, consents and a URI', () => {
    expect(
      violationsOf(
        artifactInputSchema,
        artifact({ uri: 's3://bucket/key', parents: ['base'], consentIds: ['c-1', 'c-2'] }),
      ),
    ).toEqual([]);
  });

  it('refuses an artifact that is its own parent, at parents', () => {
    expect(violationsOf(artifactInputSchema, artifact({ parents: ['base', 'd-1'] }))).toEqual([
      "parents: must not contain the artifact's own id",
    ]);
  });

  it('names every bad, unknown and missing field', () => {
    expect(
      violationsOf(
        artifactInputSchema,
        artifact({
          kind: 'weights',
          sha256: 'A'.repeat(64),
          uri: 'no scheme',
          consentIds: ['c', 'c'],
          registeredBy: 'x',
        }),
      ),
    ).toEqual([
      'kind: must be one of dataset, model, other',
      'sha256: must be 64 lowercase hex characters (SHA-256)',
      'uri: must be an absolute URI such as s3://bucket/key',
      'consentIds: must not contain duplicates',
      'registeredBy: is not a known field',
    ]);
    expect(violationsOf(artifactInputSchema, { id: 'x' })).toEqual([
      'kind: is required',
      'name: is required',
      'version: is required',
      'sha256: is required',
    ]);
  });
});

describe('training run input schema', () => {
  it('accepts a run with datasets, a start time and a notes commitment', () => {
    const notesCommitment = `hmac-sha256:${'e'.repeat(64)}`;
    expect(
      violationsOf(trainingRunInputSchema, {
        id: 'r-1',
        modelArtifactId: 'm-1',
        datasetArtifactIds: ['d-1', 'd-2'],
        startTime: '2026-06-01T00:00:00Z',
        notesCommitment,
      }),
    ).toEqual([]);
  });

  it('needs 1 to 100 unique datasets, takes notes only as a commitment (no free text), refuses unknown and missing fields', () => {
    expect(violationsOf(trainingRunInputSchema, { id: 'r-1', modelArtifactId: 'm-1', datasetArtifactIds: [] })).toEqual(
      ['datasetArtifactIds: must have 1 to 100 items'],
    );
    expect(
      violationsOf(trainingRunInputSchema, {
        id: 'r-1',
        modelArtifactId: 'm-1',
        datasetArtifactIds: ['d', 'd'],
        notesCommitment: 'nightly fine-tune',
        notes: 'nightly',
        org: 'x',
      }),
    ).toEqual([
      'datasetArtifactIds: must not contain duplicates',
      "notesCommitment: must be 'hmac-sha256:' followed by 64 lowercase hex characters",
      'notes: is not a known field',
      'org: is not a known field',
    ]);
    expect(violationsOf(trainingRunInputSchema, { id: 'r-1' })).toEqual([
      'modelArtifactId: is required',
      'datasetArtifactIds: is required',
    ]);
  });
});
