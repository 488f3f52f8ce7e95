/**
 * Canonical bytes of prompt and output content: the same content always gives the same bytes, so a
 * commitment computed today can be recomputed by a verifier months later.
 *
 * - **Text** (a JSON string): the string normalised to Unicode NFC, encoded as UTF-8. Nothing else
 *   changes — no trimming, no line-ending or whitespace conversion — because those can change meaning.
 * - **Chat messages** (a JSON array of message objects): canonical JSON — every string (object keys
 *   and values) normalised to NFC, object keys sorted by UTF-16 code units at every depth, array order
 *   kept, no whitespace, numbers as ECMAScript writes them (`1.0` and `1` are the same number) — encoded
 *   as UTF-8.
 *
 * The two forms are not tagged: a text whose characters are exactly the canonical JSON of a message
 * array has the same bytes, and so the same commitment. That is harmless — a commitment binds bytes.
 *
 * Messages with an object holding two keys that are equal after NFC (an NFC and an NFD spelling of
 * one key) have no canonical form: normalising would merge the keys, so two different contents
 * would share bytes and commitment. They are refused ({@link CanonicalContentError}).
 */

import { fieldPath } from './records/validate';

/** A JSON value as parsed from a request body. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One chat message as a provider API takes it: a role plus any further JSON fields (content, name, tool calls…). */
export interface ChatMessage {
  readonly role: string;
  readonly [field: string]: JsonValue;
}

/** Prompt or output content: plain text or a list of chat messages. */
export type Content = string | readonly ChatMessage[];

/** Where content has no canonical form: the object (its path within the content) and the key it holds twice after NFC. */
export interface NfcKeyCollision {
  /** Path of the object within the content, e.g. `[0]` or `[1].content[0]` (empty: the content itself). */
  readonly path: readonly (string | number)[];
  /** The key, normalised to NFC. */
  readonly key: string;
}

/** Content that has no canonical form: one of its objects has two keys that are equal after NFC. */
export class CanonicalContentError extends Error {
  override readonly name = 'CanonicalContentError';

  constructor(readonly collision: NfcKeyCollision) {
    super(
      `${fieldPath(collision.path) || '(root)'}: holds the key ${JSON.stringify(collision.key)} twice after Unicode NFC normalisation, so it has no canonical form`,
    );
  }
}

/**
 * The canonical UTF-8 bytes of `content` (see the module comment for the rules).
 *
 * @throws CanonicalContentError when an object of the messages holds two keys equal after NFC
 */
export function canonicalContent(content: Content): Buffer {
  return Buffer.from(typeof content === 'string' ? content.normalize('NFC') : canonicalContentJson(content), 'utf8');
}

/**
 * Canonical JSON text of a value: NFC strings, sorted keys, no whitespace.
 *
 * @throws CanonicalContentError when an object holds two keys equal after NFC
 */
export function canonicalContentJson(value: JsonValue): string {
  return canonicalJsonAt(value, []);
}

/** The first object in `value` that holds two keys equal after NFC, or `undefined` when every key is distinct. */
export function nfcKeyCollisionOf(value: JsonValue): NfcKeyCollision | undefined {
  return collisionAt(value, []);
}

function collisionAt(value: JsonValue, path: readonly (string | number)[]): NfcKeyCollision | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (isJsonArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = collisionAt(item, [...path, index]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const seen = new Set<string>();
  for (const key of Object.keys(value)) {
    const normalised = key.normalize('NFC');
    if (seen.has(normalised)) return { path, key: normalised };
    seen.add(normalised);
  }
  for (const [key, item] of Object.entries(value)) {
    const found = collisionAt(item, [...path, key.normalize('NFC')]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function canonicalJsonAt(value: JsonValue, path: readonly (string | number)[]): string {
  if (typeof value === 'string') return JSON.stringify(value.normalize('NFC'));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (isJsonArray(value)) return `[${value.map((item, index) => canonicalJsonAt(item, [...path, index])).join(',')}]`;
  const entries = Object.entries(value).map(([key, item]) => [key.normalize('NFC'), item] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Sorted, equal keys are neighbours: merging them would give two contents the same bytes.
  for (let index = 1; index < entries.length; index++) {
    const key = entries[index]?.[0] ?? '';
    if (key === entries[index - 1]?.[0]) throw new CanonicalContentError({ path, key });
  }
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJsonAt(item, [...path, key])}`).join(',')}}`;
}

function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}
