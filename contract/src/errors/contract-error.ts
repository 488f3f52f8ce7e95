import { LIMITS } from '../limits';

/**
 * Why the chaincode refused a transaction, as a machine-readable payload. Only the error message
 * crosses the Fabric Gateway, so the message *is* the payload: JSON that still reads well in a peer
 * log. Clients decode it with {@link decodeContractError}; no client parses prose.
 */
export const CONTRACT_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'CONFLICT',
  'ACCESS_DENIED',
  'PRECONDITION_FAILED',
] as const;
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

/** One failing field and the rule it broke; `path` is a JSON path such as `usage.inputTokens` or `[3].id` (empty: the whole argument). */
export interface FieldViolation {
  readonly path: string;
  readonly rule: string;
}

/** One reason a precondition failed, naming the input it is about when there is one (e.g. `datasetArtifactIds[2]`). */
export interface RefusalReason {
  readonly path: string;
  readonly reason: string;
}

export interface ContractErrorPayload {
  readonly code: ContractErrorCode;
  /** One human-readable sentence. */
  readonly message: string;
  /** `INVALID_ARGUMENT`: every failing field. */
  readonly violations?: readonly FieldViolation[];
  /** `PRECONDITION_FAILED`: every failed precondition. */
  readonly reasons?: readonly RefusalReason[];
  /** Violations and reasons left out of the encoded payload to keep it small (see `LIMITS.refusalEntries`). */
  readonly omitted?: number;
}

/** What every encoded payload starts with, so it can be found inside the text peers and the gateway wrap it in. */
const PAYLOAD_START = '{"code":"';

/** `text` cut to `max` characters, marked as cut. */
function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The error message the chaincode throws: the payload as JSON with `code` first, bounded — at most
 * `LIMITS.refusalEntries` violations and reasons (the first ones; `omitted` counts the rest), the
 * message and each entry's text cut at their `LIMITS` — so it always fits the gRPC trailers it
 * crosses in.
 *
 * @example
 * encodeContractError({ code: 'NOT_FOUND', message: 'interaction x does not exist' })
 * // '{"code":"NOT_FOUND","message":"interaction x does not exist"}'
 */
export function encodeContractError(payload: ContractErrorPayload): string {
  const { code, message, violations, reasons } = payload;
  let room = LIMITS.refusalEntries;
  const keep = <T>(items: readonly T[] | undefined, cut: (item: T) => T): T[] | undefined => {
    if (items === undefined) return undefined;
    const kept = items.slice(0, room).map(cut);
    room -= kept.length;
    return kept;
  };
  const entry = (text: string): string => bounded(text, LIMITS.refusalEntryChars);
  const keptViolations = keep(violations, (violation) => ({
    path: entry(violation.path),
    rule: entry(violation.rule),
  }));
  const keptReasons = keep(reasons, (reason) => ({ path: entry(reason.path), reason: entry(reason.reason) }));
  const omitted =
    (payload.omitted ?? 0) +
    (violations?.length ?? 0) -
    (keptViolations?.length ?? 0) +
    (reasons?.length ?? 0) -
    (keptReasons?.length ?? 0);
  return JSON.stringify({
    code,
    message: bounded(message, LIMITS.refusalMessageChars),
    ...(keptViolations ? { violations: keptViolations } : {}),
    ...(keptReasons ? { reasons: keptReasons } : {}),
    ...(omitted > 0 ? { omitted } : {}),
  });
}

/**
 * Finds and decodes a payload in a message (the chaincode's own message, or the gateway's text that
 * wraps it, such as `chaincode response 500, {"code":…}`). `undefined` when the text holds none.
 */
export function decodeContractError(text: string): ContractErrorPayload | undefined {
  const start = text.indexOf(PAYLOAD_START);
  if (start < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
  return isPayload(value) ? value : undefined;
}

function isPayload(value: unknown): value is ContractErrorPayload {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  if (typeof candidate.code !== 'string' || !(CONTRACT_ERROR_CODES as readonly string[]).includes(candidate.code))
    return false;
  if (typeof candidate.message !== 'string') return false;
  const listOf = (items: unknown, fields: readonly string[]): boolean =>
    items === undefined ||
    (Array.isArray(items) &&
      items.every(
        (item) =>
          typeof item === 'object' &&
          item !== null &&
          fields.every((field) => typeof (item as Record<string, unknown>)[field] === 'string'),
      ));
  if (candidate.omitted !== undefined && !(Number.isSafeInteger(candidate.omitted) && Number(candidate.omitted) > 0))
    return false;
  return listOf(candidate.violations, ['path', 'rule']) && listOf(candidate.reasons, ['path', 'reason']);
}

/**
 * A coded refusal. Thrown by the chaincode (its message is the encoded payload) and usable by any
 * client that wants the same typed error.
 */
export class ContractError extends Error {
  readonly code: ContractErrorCode;
  readonly detail: string;
  readonly violations: readonly FieldViolation[];
  readonly reasons: readonly RefusalReason[];

  constructor(payload: ContractErrorPayload) {
    super(encodeContractError(payload));
    this.name = 'ContractError';
    this.code = payload.code;
    this.detail = payload.message;
    this.violations = payload.violations ?? [];
    this.reasons = payload.reasons ?? [];
  }

  get payload(): ContractErrorPayload {
    return {
      code: this.code,
      message: this.detail,
      ...(this.violations.length > 0 ? { violations: this.violations } : {}),
      ...(this.reasons.length > 0 ? { reasons: this.reasons } : {}),
    };
  }
}

/** Bad input: names every failing field, so a client can fix all of them at once. */
export class ValidationError extends ContractError {
  constructor(violations: readonly FieldViolation[]) {
    super({
      code: 'INVALID_ARGUMENT',
      message: violations.map((violation) => `${violation.path || '(root)'}: ${violation.rule}`).join('; '),
      violations,
    });
    this.name = 'ValidationError';
  }
}
