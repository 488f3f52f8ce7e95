import type { FieldViolation } from '../errors';
import { checkInteraction } from './interaction-schema';

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

function violationsOf(value: unknown, path = ''): string[] {
  const violations: FieldViolation[] = [];
  checkInteraction(value, path, violations);
  return violations.map((violation) => `${violation.path}: ${violation.rule}`);
}

describe('interaction schema', () => {
  it('accepts a complete valid record and one with only the required fields', () => {
    expect(violationsOf(validInteraction())).toEqual([]);
    expect(
      violationsOf(
        validInteraction({
          responseModel: 'gpt-4o-2024-08-06',
          responseId: 'chatcmpl-AbC123',
          usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 5, reasoningTokens: 7, source: 'estimated' },
          finishReasons: ['stop'],
          actorRef: 'actor-1',
          conversationId: 'conv-1',
          outputCommitment: COMMITMENT,
          subjectRef: 'subj-1',
          consentId: 'c-1',
          purpose: 'ai-inference',
          dataCategories: ['labs'],
          tags: ['triage'],
          modelArtifactId: 'model-1',
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['id', 'has space', 'id: must match'],
    ['startTime', '2026-01-01 10:00', 'startTime: must be an RFC 3339 date-time'],
    ['endTime', 5, 'endTime: must be an RFC 3339 date-time'],
    ['provider', '', 'provider: must be 1 to 64 characters'],
    ['operation', 'chat\n', 'operation: must be letters'],
    ['requestModel', 'gpt 4', 'requestModel: must be letters, digits and . _ : / @ + -'],
    ['responseModel', 'x'.repeat(257), 'responseModel: must be 1 to 256 characters'],
    ['responseId', 'a b', 'responseId: must be printable ASCII without spaces'],
    ['usage', { inputTokens: -1, outputTokens: 1.5, source: 'guess' }, 'usage.inputTokens: must be an integer from 0'],
    ['usage', { inputTokens: 1, outputTokens: '2', source: 'provider' }, 'usage.outputTokens: must be an integer from 0'],
    ['usage', { inputTokens: 1, outputTokens: 2, source: 'guess' }, 'usage.source: must be one of provider, estimated'],
    ['usage', { inputTokens: 1, outputTokens: 2, source: 'provider', cacheReadTokens: -3 }, 'usage.cacheReadTokens: must be an integer from 0'],
    ['usage', { inputTokens: 1, outputTokens: 2, source: 'provider', reasoningTokens: 0.5 }, 'usage.reasoningTokens: must be an integer from 0'],
    ['cost', { status: 'priced', amountMinor: 1.5, currency: 'EUR' }, 'cost.amountMinor: must be an integer from 0'],
    ['cost', { status: 'priced', amountMinor: -1, currency: 'EUR' }, 'cost.amountMinor: must be an integer from 0'],
    ['cost', { status: 'priced', amountMinor: 1, currency: 'eur' }, 'cost.currency: must be an ISO 4217 code'],
    ['cost', { status: 'free' }, 'cost.status: must be one of priced, unpriced, provider'],
    ['latencyMs', -5, 'latencyMs: must be an integer from 0'],
    ['status', 'fine', 'status: must be one of ok, error'],
    ['finishReasons', 'stop', 'finishReasons: must be an array'],
    ['actorRef', 'a/b', 'actorRef: must match'],
    ['applicationId', undefined, 'applicationId: is required'],
    ['promptCommitment', 'c'.repeat(64), "promptCommitment: must be 'hmac-sha256:' followed by 64 lowercase hex characters"],
    ['outputCommitment', `hmac-sha256:${'C'.repeat(64)}`, "outputCommitment: must be 'hmac-sha256:'"],
    ['dataCategories', ['labs', 'labs'], 'dataCategories: must not contain duplicates'],
    ['tags', Array.from({ length: 33 }, (_, index) => `t${index}`), 'tags: must have 0 to 32 items'],
    ['modelArtifactId', '', 'modelArtifactId: must be 1 to 128'],
  ])('refuses a bad %s', (field, value, expected) => {
    expect(violationsOf(validInteraction({ [field]: value })).join('; ')).toContain(expected);
  });

  it('refuses unknown fields at the top level and inside usage and cost, and the org from input', () => {
    expect(violationsOf(validInteraction({ org: 'HospitalBMSP', usage: { inputTokens: 1, outputTokens: 1, source: 'provider', total: 2 }, cost: { status: 'unpriced', note: 'x' } }))).toEqual([
      'org: is not a known field',
      'usage.total: is not a known field',
      'cost.note: is not a known field',
    ]);
  });

  it('never records an unpriced call with an amount, and needs amount and currency otherwise', () => {
    expect(violationsOf(validInteraction({ cost: { status: 'unpriced' } }))).toEqual([]);
    expect(violationsOf(validInteraction({ cost: { status: 'unpriced', amountMinor: 0, currency: 'EUR' } }))).toEqual([
      'cost.amountMinor: must be absent when cost.status is unpriced',
      'cost.currency: must be absent when cost.status is unpriced',
    ]);
    expect(violationsOf(validInteraction({ cost: { status: 'provider' } }))).toEqual([
      'cost.amountMinor: is required when cost.status is provider',
      'cost.currency: is required when cost.status is provider',
    ]);
  });

  it('relates fields: end after start, errorType with error only, purpose with a subject or consent', () => {
    expect(violationsOf(validInteraction({ endTime: '2026-01-01T09:59:59Z' }))).toEqual(['endTime: must not be before startTime']);
    expect(violationsOf(validInteraction({ startTime: '2026-01-01T11:00:00+01:00', endTime: '2026-01-01T10:00:00Z' }))).toEqual([]);
    expect(violationsOf(validInteraction({ status: 'error' }))).toEqual(['errorType: is required when status is error']);
    expect(violationsOf(validInteraction({ status: 'error', errorType: 'rate_limit' }))).toEqual([]);
    expect(violationsOf(validInteraction({ errorType: 'timeout' }))).toEqual(['errorType: must be absent when status is ok']);
    expect(violationsOf(validInteraction({ subjectRef: 's-1' }))).toEqual(['purpose: is required with subjectRef or consentId']);
    expect(violationsOf(validInteraction({ consentId: 'c-1' }))).toEqual(['purpose: is required with subjectRef or consentId']);
  });

  it('prefixes every violation with the record’s path in a batch', () => {
    expect(violationsOf(validInteraction({ usage: { inputTokens: -1, outputTokens: 0, source: 'provider' } }), '[3]')).toEqual([
      '[3].usage.inputTokens: must be an integer from 0 to 9007199254740991',
    ]);
    expect(violationsOf('not an object', '[0]')).toEqual(['[0]: must be an object']);
  });
});
