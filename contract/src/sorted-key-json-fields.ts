import { sortedKeyJson } from './sorted-key-json';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/** A field to place: its key and its member text (`"key":value`). */
interface Field {
  readonly key: string;
  readonly text: string;
}

/**
 * The {@link sortedKeyJson} of `{ ...object, ...fields }`, given `json` = `sortedKeyJson(object)` of
 * a plain object: the object's members are copied from `json` as they stand (already canonical at
 * every depth), in runs, and the fields are placed between them in key order, so the object is not
 * serialised again. A field replaces a member of the same key; an undefined field is left out, as
 * sortedKeyJson leaves it out.
 *
 * @example
 * withSortedKeyFields('{"a":1,"c":[2]}', { b: { y: 1, x: 2 } }) // '{"a":1,"b":{"x":2,"y":1},"c":[2]}'
 * @throws Error when `json` is not a JSON object's text, or a field's key is an array index
 *   (JavaScript lists those first, by value; no caller needs one)
 */
export function withSortedKeyFields(json: string, fields: Readonly<Record<string, unknown>>): string {
  const added: Field[] = [];
  for (const key of Object.keys(fields).sort()) {
    if (isIndexKey(key)) throw new Error(`withSortedKeyFields: field ${key} is an array index`);
    const value = fields[key];
    // Only objects have keys to sort: other values are written as JSON.stringify writes them.
    if (value !== undefined)
      added.push({
        key,
        text: `${JSON.stringify(key)}:${typeof value === 'object' && value !== null ? sortedKeyJson(value) : JSON.stringify(value)}`,
      });
  }
  if (json.charCodeAt(0) !== OPEN_OBJECT || json.charCodeAt(json.length - 1) !== CLOSE_OBJECT)
    throw new Error('withSortedKeyFields: not a JSON object');
  const pieces: string[] = [];
  const end = json.length - 1;
  let next = 0;
  // The run of members not yet copied: [runStart, runEnd), or none (-1).
  let runStart = -1;
  let runEnd = -1;
  const endRun = (): void => {
    if (runStart >= 0) pieces.push(json.slice(runStart, runEnd));
    runStart = -1;
  };
  for (let at = 1; at < end; at += 1) {
    const start = at;
    const keyEnd = closingQuote(json, start);
    let order = 1;
    for (; next < added.length; next += 1) {
      order = memberOrder(json, start, keyEnd, added[next]?.key ?? '');
      if (order <= 0) break;
      endRun();
      pieces.push(added[next]?.text ?? '');
    }
    // The value: up to the comma at depth 0 (or the object's end), strings skipped whole.
    let depth = 0;
    for (at = keyEnd + 2; at < end; at += 1) {
      const code = json.charCodeAt(at);
      if (code === QUOTE) at = closingQuote(json, at);
      else if (code === OPEN_OBJECT || code === OPEN_ARRAY) depth += 1;
      else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth -= 1;
      else if (code === COMMA && depth === 0) break;
    }
    if (order === 0) {
      // Replaced by the field of the same key.
      endRun();
      pieces.push(added[next]?.text ?? '');
      next += 1;
    } else {
      if (runStart < 0) runStart = start;
      runEnd = at;
    }
  }
  endRun();
  for (; next < added.length; next += 1) pieces.push(added[next]?.text ?? '');
  return `{${pieces.join(',')}}`;
}

/** An array index (`0`…`4294967294` without leading zeros): JavaScript lists such keys of an object first. */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

/**
 * Whether the member whose key is quoted at `open`..`close` of `json` comes before (-1), at (0) or
 * after (1) a field `key` that is no array index, in sortedKeyJson's order: array-index keys first,
 * the others in code-unit order.
 */
function memberOrder(json: string, open: number, close: number, key: string): number {
  let escaped = false;
  for (let at = open + 1; at < close; at += 1)
    if (json.charCodeAt(at) === BACKSLASH) {
      escaped = true;
      break;
    }
  if (!escaped) {
    const first = json.charCodeAt(open + 1);
    if (first >= 0x30 && first <= 0x39 && isIndexKey(json.slice(open + 1, close))) return -1;
    const length = close - open - 1;
    for (let at = 0; at < length && at < key.length; at += 1) {
      const difference = json.charCodeAt(open + 1 + at) - key.charCodeAt(at);
      if (difference !== 0) return difference < 0 ? -1 : 1;
    }
    return length === key.length ? 0 : length < key.length ? -1 : 1;
  }
  const member = JSON.parse(json.slice(open, close + 1)) as string;
  if (isIndexKey(member)) return -1;
  return member < key ? -1 : member > key ? 1 : 0;
}

/** The position of the quote closing the string that opens at `open` (a quote preceded by an even run of backslashes). */
function closingQuote(json: string, open: number): number {
  let quote = json.indexOf('"', open + 1);
  for (;;) {
    if (quote < 0) throw new Error('withSortedKeyFields: unterminated string');
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    quote = json.indexOf('"', quote + 1);
  }
}
