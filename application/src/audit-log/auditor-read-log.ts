import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, closeSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * What one auditor read leaves behind. Deliberately narrow: who (key name and role), which route
 * template, which resource ids (path parameters, which never carry personal identifiers), when,
 * and the request id that ties it to the app's logs. Never a body, a query, a prompt or an output.
 */
export interface AuditorRead {
  readonly time: string;
  readonly requestId: string;
  readonly keyName: string;
  readonly role: string;
  readonly route: string;
  readonly resourceIds: Readonly<Record<string, string>>;
}

/** A line of the log: the read, its position, and the hash chain that makes edits detectable. */
export interface AuditorReadEntry extends AuditorRead {
  readonly seq: number;
  /** `hash` of the previous entry; {@link GENESIS_HASH} for the first. */
  readonly prevHash: string;
  /** SHA-256 over the entry's other fields in a fixed order (see {@link entryHash}). */
  readonly hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

const entrySchema = z.strictObject({
  seq: z.number().int().min(1),
  time: z.string(),
  requestId: z.string(),
  keyName: z.string(),
  role: z.string(),
  route: z.string(),
  resourceIds: z.record(z.string(), z.string()),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

/**
 * The hash of an entry: SHA-256 of a JSON array of its fields in a fixed order (resource ids
 * sorted by name), so the same entry always hashes the same however its line was formatted.
 */
export function entryHash(entry: Omit<AuditorReadEntry, 'hash'>): string {
  const resourceIds = Object.keys(entry.resourceIds)
    .sort()
    .map((name) => [name, entry.resourceIds[name]]);
  const fields = [entry.seq, entry.prevHash, entry.time, entry.requestId, entry.keyName, entry.role, entry.route, resourceIds];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/** The log exists but its chain is broken: the app must not start appending to it. */
export class AuditorReadLogError extends Error {
  override readonly name = 'AuditorReadLogError';
}

/**
 * The org's append-only log of auditor reads: one JSON line per read, each carrying the previous
 * line's hash. It lives on the app host, outside the ledger (see docs/security.md for why), and no
 * API route can change it; deleting or altering any line breaks the chain, which
 * {@link verifyAuditorReadLog} detects. Appends are serialised, so the chain stays linear under
 * concurrent requests.
 */
export class AuditorReadLog {
  private last: { seq: number; hash: string };
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    const verification = verifyAuditorReadLog(path);
    if (!verification.valid) {
      // Appending to a broken chain would hide where it broke.
      throw new AuditorReadLogError(`the auditor-read log ${path} fails verification at line ${verification.line}: ${verification.reason}`);
    }
    this.last = verification.last;
  }

  /** Appends one read; resolves once the line is written (the read is answered only after that). */
  append(read: AuditorRead): Promise<AuditorReadEntry> {
    const next = this.queue.then(async () => {
      const unsigned = { seq: this.last.seq + 1, prevHash: this.last.hash, ...read };
      const entry: AuditorReadEntry = { ...unsigned, hash: entryHash(unsigned) };
      await appendFile(this.path, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', flag: 'a' });
      this.last = { seq: entry.seq, hash: entry.hash };
      return entry;
    });
    // A failed append must not wedge later ones; the failure still reaches this caller.
    this.queue = next.catch(() => undefined);
    return next;
  }
}

export type AuditorReadLogVerification =
  | { readonly valid: true; readonly entries: number; readonly last: { seq: number; hash: string } }
  | { readonly valid: false; readonly line: number; readonly reason: string };

/**
 * Checks the whole chain: every line parses, sequence numbers run 1, 2, 3…, each line's `prevHash`
 * is the previous line's `hash`, and each `hash` matches the line's content. An edited, removed,
 * inserted or reordered line fails; so does a truncated last line. (Removing lines from the end
 * cannot be detected from the file alone: compare the entry count or last hash with a copy kept
 * elsewhere.)
 */
export function verifyAuditorReadLog(path: string): AuditorReadLogVerification {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (text !== '' && !text.endsWith('\n')) {
    return { valid: false, line: text.split('\n').length, reason: 'the last line is incomplete' };
  }
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  let previous = { seq: 0, hash: GENESIS_HASH };
  for (const [index, line] of lines.entries()) {
    const number = index + 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return { valid: false, line: number, reason: 'not valid JSON' };
    }
    const parsed = entrySchema.safeParse(json);
    if (!parsed.success) return { valid: false, line: number, reason: 'not an auditor-read entry' };
    const entry = parsed.data;
    if (entry.seq !== previous.seq + 1) return { valid: false, line: number, reason: `sequence ${entry.seq} follows ${previous.seq}` };
    if (entry.prevHash !== previous.hash) return { valid: false, line: number, reason: 'prevHash does not match the previous entry' };
    const { hash, ...unsigned } = entry;
    if (entryHash(unsigned) !== hash) return { valid: false, line: number, reason: 'hash does not match the entry' };
    previous = { seq: entry.seq, hash };
  }
  return { valid: true, entries: lines.length, last: previous };
}
