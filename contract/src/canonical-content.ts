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
 */

/** A JSON value as parsed from a request body. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One chat message as a provider API takes it: a role plus any further JSON fields (content, name, tool calls…). */
export interface ChatMessage {
  readonly role: string;
  readonly [field: string]: JsonValue;
}

/** Prompt or output content: plain text or a list of chat messages. */
export type Content = string | readonly ChatMessage[];

/** The canonical UTF-8 bytes of `content` (see the module comment for the rules). */
export function canonicalContent(content: Content): Buffer {
  return Buffer.from(typeof content === 'string' ? content.normalize('NFC') : canonicalContentJson(content), 'utf8');
}

/** Canonical JSON text of a value: NFC strings, sorted keys, no whitespace. */
export function canonicalContentJson(value: JsonValue): string {
  if (typeof value === 'string') return JSON.stringify(value.normalize('NFC'));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (isJsonArray(value)) return `[${value.map(canonicalContentJson).join(',')}]`;
  const entries = Object.entries(value).map(([key, item]) => [key.normalize('NFC'), item] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalContentJson(item)}`).join(',')}}`;
}

function isJsonArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}
