import type { FieldViolation } from '../errors';
import { array, commitment, currency, dateTime, id, integer, label, object, oneOf, optional, string, type ObjectOf } from '../validation/rules';

/** Largest accepted record (canonical JSON): metadata and commitments only, never content. */
export const MAX_INTERACTION_BYTES = 16 * 1024;

/** Model names as providers spell them: `gpt-4o-2024-08-06`, `models/gemini-1.5-pro`, `claude-3-5-sonnet@20240620`. */
const modelName = (): ReturnType<typeof string> =>
  string({ pattern: /^[A-Za-z0-9._:/@+-]+$/, maxLength: 256, describe: 'must be letters, digits and . _ : / @ + -' });

/** Provider-issued ids are opaque: any printable ASCII without spaces. */
const opaqueId = (): ReturnType<typeof string> => string({ pattern: /^[\x21-\x7E]+$/, maxLength: 256, describe: 'must be printable ASCII without spaces' });

const usageShape = {
  inputTokens: integer({ min: 0 }),
  outputTokens: integer({ min: 0 }),
  cacheReadTokens: optional(integer({ min: 0 })),
  reasoningTokens: optional(integer({ min: 0 })),
  source: oneOf(['provider', 'estimated'] as const),
};

const costShape = {
  status: oneOf(['priced', 'unpriced', 'provider'] as const),
  amountMinor: optional(integer({ min: 0 })),
  currency: optional(currency()),
  priceTableVersion: optional(label(64)),
};

const interactionShape = {
  id: id(),
  startTime: dateTime(),
  endTime: dateTime(),
  provider: label(64),
  operation: label(64),
  requestModel: modelName(),
  responseModel: optional(modelName()),
  responseId: optional(opaqueId()),
  usage: object(usageShape),
  cost: object(costShape),
  latencyMs: integer({ min: 0 }),
  status: oneOf(['ok', 'error'] as const),
  errorType: optional(label(128)),
  finishReasons: optional(array(label(64), { maxItems: 16 })),
  actorRef: optional(id()),
  applicationId: id(),
  conversationId: optional(id()),
  promptCommitment: commitment(),
  outputCommitment: optional(commitment()),
  subjectRef: optional(id()),
  consentId: optional(id()),
  purpose: optional(label(64)),
  dataCategories: optional(array(label(64), { maxItems: 32, unique: true })),
  tags: optional(array(label(64), { maxItems: 32, unique: true })),
  modelArtifactId: optional(id()),
};

/** An AI interaction as the recording org's application submits it. */
export type InteractionInput = ObjectOf<typeof interactionShape>;

/** The field names a client supplies: the part of a stored record idempotency compares. */
export const INTERACTION_INPUT_FIELDS = Object.keys(interactionShape) as (keyof InteractionInput)[];

/** The ledger's consent verdict for the record, taken at commit time. */
export interface ConsentCheck {
  readonly allowed: boolean;
  readonly consentId?: string;
  readonly reason: string;
}

/** An interaction as stored: the input plus what only the ledger can say. */
export interface StoredInteraction extends InteractionInput {
  /** The recording org's MSP id, from the caller's certificate. */
  readonly org: string;
  readonly recordedBy: string;
  readonly txId: string;
  readonly txTime: string;
  readonly consentCheck?: ConsentCheck;
}

const interactionRule = object(interactionShape);

const at = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Checks one record strictly, adding every violation (field rules, then the rules that relate
 * fields) to `violations` under `path`; returns the record only when it is valid.
 */
export function checkInteraction(value: unknown, path: string, violations: FieldViolation[]): InteractionInput | undefined {
  const before = violations.length;
  const record = interactionRule(value, path, violations);
  if (record === undefined) return undefined;
  if (Date.parse(record.endTime) < Date.parse(record.startTime)) violations.push({ path: at(path, 'endTime'), rule: 'must not be before startTime' });
  if (record.cost.status === 'unpriced') {
    // An unpriced call is flagged as such, never stored as a zero amount.
    if (record.cost.amountMinor !== undefined) violations.push({ path: at(path, 'cost.amountMinor'), rule: 'must be absent when cost.status is unpriced' });
    if (record.cost.currency !== undefined) violations.push({ path: at(path, 'cost.currency'), rule: 'must be absent when cost.status is unpriced' });
  } else {
    if (record.cost.amountMinor === undefined) violations.push({ path: at(path, 'cost.amountMinor'), rule: `is required when cost.status is ${record.cost.status}` });
    if (record.cost.currency === undefined) violations.push({ path: at(path, 'cost.currency'), rule: `is required when cost.status is ${record.cost.status}` });
  }
  if (record.status === 'error' && record.errorType === undefined) violations.push({ path: at(path, 'errorType'), rule: 'is required when status is error' });
  if (record.status === 'ok' && record.errorType !== undefined) violations.push({ path: at(path, 'errorType'), rule: 'must be absent when status is ok' });
  if ((record.subjectRef !== undefined || record.consentId !== undefined) && record.purpose === undefined) {
    violations.push({ path: at(path, 'purpose'), rule: 'is required with subjectRef or consentId' });
  }
  return violations.length > before ? undefined : record;
}
