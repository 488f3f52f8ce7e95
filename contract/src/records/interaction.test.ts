import type { z } from 'zod';
import type { FieldViolation } from '../errors/contract-error';
import { LIMITS } from '../limits';
import { annotationInputSchema, interactionInputSchema } from './interaction';
import { collectViolations } from './validate';
import { ANNOTATION_LABELS, DATA_CATEGORIES, PURPOSES } from './vocabularies';

const COMMITMENT = `hmac-sha256:${'c'.repeat(64)}`;

function validInteraction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'i-1',
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01.250Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o-2024-08-06',
    usage: { inputTokens: 120, outputTokens: 30, source: 'provider' },
    cost: { status: 'priced', amountMinor: 12, currency: 'EUR', priceTableVersion: '2026-01' },
    latencyMs: 1250,
    status: 'ok',
    applicationId: 'triage-app',
    promptCommitment: COMMITMENT,
    ...overrides,
  };
}

/** `path: rule` of every violation, as the chaincode's error message lists them. */
function violationsOf(schema: z.ZodType, value: unknown, prefix = ''): string[] {
  const violations: FieldViolation[] = [];
  collectViolations(schema, value, violations, prefix);
  return violations.map((violation) => `${violation.path}: ${violation.rule}`);
}

describe('interaction input schema', () => {
  it('accepts a complete valid record and one with only the required fields', () => {
    expect(violationsOf(interactionInputSchema, validInteraction())).toEqual([]);
    expect(
      violationsOf(
        interactionInputSchema,
        validInteraction({
          responseModel: 'gpt-4o-2024-08-06',
          responseId: 'chatcmpl-AbC123',
          usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 5, reasoningTokens: 7, source: 'estimated' },
          finishReasons: ['stop'],
          actorRef: `hmac-sha256:${'a'.repeat(64)}`,
          conversationId: `hmac-sha256:${'b'.repeat(64)}`,
          outputCommitment: COMMITMENT,
          subjectRef: 'subj-1',
          consentId: 'c-1',
          purpose: 'ai-inference',
          dataCategories: ['labs'],
          tags: [`hmac-sha256:${'d'.repeat(64)}`],
          modelArtifactId: 'model-1',
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['id', 'has space', 'id: must match ^[A-Za-z0-9._:-]{1,128}$'],
    [
      'startTime',
      '2026-01-01 10:00',
      'startTime: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)',
    ],
    ['endTime', 5, 'endTime: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z)'],
    ['provider', '', 'provider: must be 1 to 64 characters'],
    ['operation', 'chat\n', 'operation: must be ASCII letters, digits, spaces and . _ : / -'],
    ['provider', 'Jöhn', 'provider: must be ASCII letters, digits, spaces and . _ : / -'],
    ['requestModel', 'gpt 4', 'requestModel: must be letters, digits and . _ : / @ + -'],
    ['responseModel', 'x'.repeat(257), 'responseModel: must be 1 to 256 characters'],
    ['responseId', 'a b', 'responseId: must be printable ASCII without spaces'],
    ['usage', { inputTokens: -1, outputTokens: 1, source: 'provider' }, 'usage.inputTokens: must be at least 0'],
    ['usage', { inputTokens: 1, outputTokens: '2', source: 'provider' }, 'usage.outputTokens: must be an integer'],
    ['usage', { inputTokens: 1, outputTokens: 2, source: 'guess' }, 'usage.source: must be one of provider, estimated'],
    [
      'usage',
      { inputTokens: 1, outputTokens: 2, source: 'provider', reasoningTokens: 0.5 },
      'usage.reasoningTokens: must be an integer',
    ],
    [
      'usage',
      { inputTokens: 1, outputTokens: LIMITS.tokensPerCall + 1, source: 'provider' },
      `usage.outputTokens: must be at most ${LIMITS.tokensPerCall}`,
    ],
    [
      'usage',
      { inputTokens: Number.MAX_SAFE_INTEGER, outputTokens: 1, source: 'provider' },
      `usage.inputTokens: must be at most ${LIMITS.tokensPerCall}`,
    ],
    ['cost', { status: 'priced', amountMinor: -1, currency: 'EUR' }, 'cost.amountMinor: must be at least 0'],
    [
      'cost',
      { status: 'provider', amountMinor: LIMITS.costMinorPerCall + 1, currency: 'EUR' },
      `cost.amountMinor: must be at most ${LIMITS.costMinorPerCall}`,
    ],
    [
      'cost',
      { status: 'priced', amountMinor: 1, currency: 'eur' },
      'cost.currency: must be an ISO 4217 code such as EUR',
    ],
    ['cost', { status: 'free' }, 'cost.status: must be one of priced, unpriced, provider'],
    ['latencyMs', -5, 'latencyMs: must be at least 0'],
    ['status', 'fine', 'status: must be one of ok, error'],
    ['finishReasons', 'stop', 'finishReasons: must be an array'],
    ['actorRef', 'Jane-Doe', "actorRef: must be 'hmac-sha256:' followed by 64 lowercase hex characters"],
    ['conversationId', 'conv-1', "conversationId: must be 'hmac-sha256:' followed by 64 lowercase hex characters"],
    ['tags', ['patient-jane'], "tags[0]: must be 'hmac-sha256:' followed by 64 lowercase hex characters"],
    ['purpose', 'jane-doe', `purpose: must be one of ${PURPOSES.join(', ')}`],
    ['dataCategories', ['jane-doe'], `dataCategories[0]: must be one of ${DATA_CATEGORIES.join(', ')}`],
    ['applicationId', undefined, 'applicationId: is required'],
    ['status', undefined, 'status: is required'],
    ['usage', undefined, 'usage: is required'],
    [
      'promptCommitment',
      'c'.repeat(64),
      "promptCommitment: must be 'hmac-sha256:' followed by 64 lowercase hex characters",
    ],
    ['dataCategories', ['labs', 'labs'], 'dataCategories: must not contain duplicates'],
    [
      'tags',
      Array.from({ length: 33 }, (_, index) => `hmac-sha256:${index.toString(16).padStart(64, '0')}`),
      'tags: must have 0 to 32 items',
    ],
  ])('refuses a bad %s with one violation naming it', (field, value, expected) => {
    expect(violationsOf(interactionInputSchema, validInteraction({ [field]: value }))).toEqual([expected]);
  });

  it('accepts token counts and a cost at their per-call limits', () => {
    const max = LIMITS.tokensPerCall;
    expect(
      violationsOf(
        interactionInputSchema,
        validInteraction({
          usage: {
            inputTokens: max,
            outputTokens: max,
            cacheReadTokens: max,
            reasoningTokens: max,
            source: 'provider',
          },
          cost: { status: 'priced', amountMinor: LIMITS.costMinorPerCall, currency: 'EUR' },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses unknown fields at the top level and inside usage and cost, and the org from input', () => {
    expect(
      violationsOf(
        interactionInputSchema,
        validInteraction({
          org: 'HospitalBMSP',
          usage: { inputTokens: 1, outputTokens: 1, source: 'provider', total: 2 },
          cost: { status: 'unpriced', note: 'x' },
        }),
      ),
    ).toEqual(['usage.total: is not a known field', 'cost.note: is not a known field', 'org: is not a known field']);
  });

  it('never records an unpriced call with an amount, and needs amount and currency otherwise', () => {
    expect(violationsOf(interactionInputSchema, validInteraction({ cost: { status: 'unpriced' } }))).toEqual([]);
    expect(
      violationsOf(
        interactionInputSchema,
        validInteraction({ cost: { status: 'unpriced', amountMinor: 0, currency: 'EUR' } }),
      ),
    ).toEqual([
      'cost.amountMinor: must be absent when cost.status is unpriced',
      'cost.currency: must be absent when cost.status is unpriced',
    ]);
    expect(violationsOf(interactionInputSchema, validInteraction({ cost: { status: 'provider' } }))).toEqual([
      'cost.amountMinor: is required when cost.status is provider',
      'cost.currency: is required when cost.status is provider',
    ]);
  });

  it('relates fields: end after start, errorType with error only, purpose with a subject or consent', () => {
    expect(violationsOf(interactionInputSchema, validInteraction({ endTime: '2026-01-01T09:59:59Z' }))).toEqual([
      'endTime: must not be before startTime',
    ]);
    expect(
      violationsOf(
        interactionInputSchema,
        validInteraction({ startTime: '2026-01-01T11:00:00+01:00', endTime: '2026-01-01T10:00:00Z' }),
      ),
    ).toEqual([]);
    expect(violationsOf(interactionInputSchema, validInteraction({ status: 'error' }))).toEqual([
      'errorType: is required when status is error',
    ]);
    expect(
      violationsOf(interactionInputSchema, validInteraction({ status: 'error', errorType: 'rate_limit' })),
    ).toEqual([]);
    expect(violationsOf(interactionInputSchema, validInteraction({ errorType: 'timeout' }))).toEqual([
      'errorType: must be absent when status is ok',
    ]);
    expect(violationsOf(interactionInputSchema, validInteraction({ subjectRef: 's-1' }))).toEqual([
      'purpose: is required with subjectRef or consentId',
    ]);
    expect(violationsOf(interactionInputSchema, validInteraction({ consentId: 'c-1' }))).toEqual([
      'purpose: is required with subjectRef or consentId',
    ]);
  });

  it('prefixes every violation with the record’s path in a batch', () => {
    expect(
      violationsOf(
        interactionInputSchema,
        validInteraction({ usage: { inputTokens: -1, outputTokens: 0, source: 'provider' } }),
        '[3]',
      ),
    ).toEqual(['[3].usage.inputTokens: must be at least 0']);
    expect(violationsOf(interactionInputSchema, 'not an object', '[0]')).toHaveLength(1);
  });
});

describe('annotation input schema', () => {
  it('accepts a review with labels and a note commitment, and refuses free text, unknown kinds and missing fields', () => {
    expect(
      violationsOf(annotationInputSchema, {
        id: 'n-1',
        kind: 'flag',
        severity: 'high',
        labels: ['bias'],
        noteCommitment: COMMITMENT,
      }),
    ).toEqual([]);
    expect(violationsOf(annotationInputSchema, { id: 'n-1', kind: 'flag', labels: ['patient-jane'] })).toEqual([
      `labels[0]: must be one of ${ANNOTATION_LABELS.join(', ')}`,
    ]);
    expect(violationsOf(annotationInputSchema, { id: 'n-1', kind: 'comment', note: 'patient John Doe' })).toEqual([
      'kind: must be one of review, flag, resolution',
      'note: is not a known field',
    ]);
    expect(violationsOf(annotationInputSchema, { severity: 'urgent' })).toEqual([
      'id: is required',
      'kind: is required',
      'severity: must be one of info, low, medium, high, critical',
    ]);
  });
});
