import type { z } from 'zod';
import type { FieldViolation } from '../errors/contract-error';
import { artifactFilterSchema, consentFilterSchema, interactionFilterSchema } from './queries';
import { orgKeysTransientSchema, subjectRegistrationTransientSchema } from './subject';
import { checkInput, collectViolations } from './validate';

function violationsOf(schema: z.ZodType, value: unknown, prefix = ''): string[] {
  const violations: FieldViolation[] = [];
  collectViolations(schema, value, violations, prefix);
  return violations.map((violation) => `${violation.path}: ${violation.rule}`);
}

describe('query filters', () => {
  it('accepts each query’s filter and leaves the defaults to the ledger', () => {
    expect(
      checkInput(interactionFilterSchema, {
        by: 'requestModel',
        value: 'gpt-4o',
        from: '2026-01-01T00:00:00Z',
        order: 'desc',
        pageSize: 1000,
        bookmark: '',
      }),
    ).toEqual({
      by: 'requestModel',
      value: 'gpt-4o',
      from: '2026-01-01T00:00:00Z',
      order: 'desc',
      pageSize: 1000,
      bookmark: '',
    });
    expect(violationsOf(consentFilterSchema, { by: 'grantee', value: 'AIProviderMSP', status: 'active' })).toEqual([]);
    expect(violationsOf(artifactFilterSchema, { by: 'kind', value: 'model', pageSize: 1 })).toEqual([]);
  });

  it('names every bad, unknown and missing field', () => {
    expect(
      violationsOf(interactionFilterSchema, {
        by: 'model',
        value: '',
        order: 'up',
        pageSize: 1001,
        to: 'yesterday',
        extra: 1,
      }),
    ).toEqual([
      'by: must be one of org, requestModel, actorRef, subjectRef, consentId, applicationId',
      'value: must be 1 to 256 characters',
      'to: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)',
      'order: must be one of asc, desc',
      'pageSize: must be an integer from 1 to 1000',
      'extra: is not a known field',
    ]);
    expect(violationsOf(consentFilterSchema, { by: 'controller', status: 'granted', pageSize: 0.5 })).toEqual([
      'by: must be one of subjectRef, grantee, purpose',
      'value: is required',
      'status: must be one of not-granted, pending, active, expired, revoked, erased',
      'pageSize: must be an integer from 1 to 1000',
    ]);
    expect(violationsOf(artifactFilterSchema, { by: 'kind', value: 'model', bookmark: 'x'.repeat(2049) })).toEqual([
      'bookmark: must be at most 2048 characters',
    ]);
  });
});

describe('Subjects transient input', () => {
  const key = (char: string): string => char.repeat(64);

  it('names fields under the transient prefix, never values, and needs two different org keys', () => {
    expect(violationsOf(orgKeysTransientSchema, { contentKey: key('a'), lookupPepper: key('a') }, 'transient')).toEqual(
      ['transient.lookupPepper: must differ from contentKey'],
    );
    expect(violationsOf(orgKeysTransientSchema, { contentKey: key('A') }, 'transient')).toEqual([
      'transient.contentKey: must be 64 lowercase hex characters (32 random bytes)',
      'transient.lookupPepper: is required',
    ]);
    expect(
      violationsOf(
        subjectRegistrationTransientSchema,
        { identifier: 'x'.repeat(257), subjectRef: 'HospitalAMSP:s-1', subjectKey: key('b') },
        'transient',
      ),
    ).toEqual(['transient.identifier: must be 1 to 256 characters']);
  });
});
