import { createHmac, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { HEX_256_PATTERN, sortedKeyJson } from '@aal/ledger-contract';
import { isUnkeyedLegacyLog } from './legacy-read-log';
import { ReadLogKeyError, createReadLogKey, defaultReadLogKeyPath, readReadLogKey } from './read-log-key';

/**
 * What an entry records about a read: a complete answer (`read`), or an answer that streams
 * (events, exports) opening and closing — the closing entry counts what the stream delivered.
 */
export const READ_EVENTS = ['read', 'stream-opened', 'stream-closed'] as const;
export type ReadEvent = (typeof READ_EVENTS)[number];

/**
 * What one read concerned: the records of each data owner (MSP id) it returned, and the subjects
 * (pseudonymous subjectRefs, never identifiers) it was about, at most {@link MAX_SUBJECT_REFS} of
 * them (`omittedSubjectRefs` counts the rest).
 */
export interface ReadScope {
  readonly readsByOwner: Readonly<Record<string, number>>;
  readonly subjectRefs: readonly string[];
  readonly omittedSubjectRefs?: number;
}

/** Subjects one entry names; a larger answer (an export) counts the others in `omittedSubjectRefs`. */
export const MAX_SUBJECT_REFS = 1000;

/**
 * What one auditor read leaves behind. Deliberately narrow: who (key name and role), which route
 * template, which resource ids (path parameters, which never carry personal identifiers), whose
 * data and which subjects, when, and the request id that ties it to the app's logs. Never a body,
 * a query value other than a subjectRef, a prompt or an output.
 */
export interface AuditorRead extends ReadScope {
  readonly event: ReadEvent;
  readonly time: string;
  readonly requestId: string;
  readonly keyName: string;
  readonly role: string;
  readonly route: string;
  readonly resourceIds: Readonly<Record<string, string>>;
}

/** A position in the chain: an entry's sequence number and MAC. */
export interface LogPosition {
  readonly seq: number;
  readonly mac: string;
}

/** The ledger's latest anchor of a log: the entry it names and that entry's MAC. */
export interface AnchorPosition {
  readonly seq: number;
  readonly head: string;
  /**
   * The head of the anchor before it on the ledger (`ReadAnchor.previousHead`); absent on a
   * chain start (a log's first anchor, or one stored before anchors were chained).
   */
  readonly previousHead?: string | undefined;
}

/**
 * Entries the app could not find although the ledger anchors them: the file was truncated or
 * removed (`truncated`), or holds a different entry where the anchor points (`diverged`). A gap
 * entry records it, and the chain goes on from there.
 */
export interface ReadLogGap {
  readonly reason: 'truncated' | 'diverged';
  readonly anchored: AnchorPosition;
  /** The last entry the file still held (seq 0 and {@link GENESIS_MAC} when none). */
  readonly found: LogPosition;
}

/** A read, with its position and the MAC chain that makes edits detectable. */
export interface ReadEntry extends AuditorRead {
  readonly seq: number;
  /** `mac` of the previous entry; {@link GENESIS_MAC} for the first. */
  readonly prevMac: string;
  /** HMAC-SHA256 under the log key over every other field (see {@link entryMac}). */
  readonly mac: string;
}

/** The first entry of a new segment after a gap. */
export interface GapEntry {
  readonly seq: number;
  readonly event: 'gap';
  readonly time: string;
  readonly gap: ReadLogGap;
  readonly prevMac: string;
  readonly mac: string;
}

export type AuditorReadEntry = ReadEntry | GapEntry;

export const GENESIS_MAC = '0'.repeat(64);

/** Domain separation: this key MACs nothing else, and a later format gets another prefix. */
const MAC_DOMAIN = 'aal-auditor-read-log/1\n';

const hex = z.string().regex(HEX_256_PATTERN);
const seq = z.int().min(1).max(Number.MAX_SAFE_INTEGER);
const readEntrySchema = z.strictObject({
  seq,
  event: z.enum(READ_EVENTS),
  time: z.string(),
  requestId: z.string(),
  keyName: z.string(),
  role: z.string(),
  route: z.string(),
  resourceIds: z.record(z.string(), z.string()),
  readsByOwner: z.record(z.string(), z.int().min(1)),
  subjectRefs: z.array(z.string()),
  omittedSubjectRefs: z.int().min(1).optional(),
  prevMac: hex,
  mac: hex,
});
const gapEntrySchema = z.strictObject({
  seq,
  event: z.literal('gap'),
  time: z.string(),
  gap: z.strictObject({
    reason: z.enum(['truncated', 'diverged']),
    anchored: z.strictObject({ seq, head: hex }),
    found: z.strictObject({ seq: z.int().min(0), mac: hex }),
  }),
  prevMac: hex,
  mac: hex,
});
const entrySchema = z.union([readEntrySchema, gapEntrySchema]);

/**
 * The MAC of an entry: HMAC-SHA256 under the log key of its sorted-key JSON without `mac`, so the
 * same entry always has the same MAC however its line was formatted, and nobody without the key —
 * whoever can write the file included — can make an edited chain verify.
 */
export function entryMac(key: Buffer, entry: Omit<AuditorReadEntry, 'mac'>): string {
  return createHmac('sha256', key).update(MAC_DOMAIN, 'utf8').update(sortedKeyJson(entry), 'utf8').digest('hex');
}

function sameMac(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The log cannot be opened: its chain is broken, or its key is missing or unusable. */
export class AuditorReadLogError extends Error {
  override readonly name = 'AuditorReadLogError';
}

/** The log does not take entries yet: it has not been compared with the ledger's anchor. */
export class AuditorReadLogUnavailableError extends Error {
  override readonly name = 'AuditorReadLogUnavailableError';
}

export type AuditorReadLogVerification =
  | {
      readonly valid: true;
      readonly entries: number;
      readonly last: LogPosition;
      /** Gaps the log records (each the first entry of a new segment). */
      readonly gaps: readonly ReadLogGap[];
    }
  | {
      readonly valid: false;
      /** `broken`: the chain itself fails; `truncated` / `diverged`: it does not reach / match the anchor. */
      readonly problem: 'broken' | 'truncated' | 'diverged';
      readonly line: number;
      readonly reason: string;
    };

/**
 * Checks a log: every line parses; sequence numbers run 1, 2, 3… (a gap entry jumps past the
 * anchored entries it records); each line's `prevMac` is the previous line's `mac`; each `mac` is
 * the HMAC of its line under `key`. An edited, removed, inserted or reordered line fails, and so does
 * a truncated last line. Removing lines from the end is detected against `anchor`, the ledger's
 * latest anchor of the log (`ReadLog:GetLatestReadAnchor`): the log must hold the anchored entry,
 * with the anchored MAC, or a gap entry that records it. When the anchor follows another
 * (`previousHead`), the log must hold that one too, before it — as an entry's MAC, as the anchored
 * position a gap entry records, or within the entries a gap entry says were lost — or the anchors
 * on the ledger are not this log's (`diverged`).
 */
export function verifyAuditorReadLog(path: string, key: Buffer, anchor?: AnchorPosition): AuditorReadLogVerification {
  const parsed = parseLog(path);
  if (!parsed.valid) return parsed;
  let previous: LogPosition = { seq: 0, mac: GENESIS_MAC };
  let anchoredMac: { line: number; mac: string } | undefined;
  // MACs of the entries before the anchored one: where the anchor's previousHead must be.
  const macsBeforeAnchor = new Set<string>();
  const gaps: ReadLogGap[] = [];
  const broken = (line: number, reason: string) => ({
    valid: false as const,
    problem: 'broken' as const,
    line,
    reason,
  });
  for (const [index, entry] of parsed.entries.entries()) {
    const line = index + 1;
    if (entry.event === 'gap') {
      const expected = Math.max(previous.seq, entry.gap.anchored.seq) + 1;
      if (entry.seq !== expected) return broken(line, `gap entry seq ${entry.seq} should be ${expected}`);
      if (entry.gap.found.seq !== previous.seq || entry.gap.found.mac !== previous.mac)
        return broken(line, 'the gap entry does not start from the previous entry');
      gaps.push(entry.gap);
    } else if (entry.seq !== previous.seq + 1) {
      return broken(line, `sequence ${entry.seq} follows ${previous.seq}`);
    }
    if (entry.prevMac !== previous.mac) return broken(line, 'prevMac does not match the previous entry');
    const { mac, ...unsigned } = entry;
    if (!sameMac(entryMac(key, unsigned), mac))
      return broken(line, 'mac does not match the entry (edited, or another key)');
    if (anchor !== undefined && entry.seq === anchor.seq) anchoredMac = { line, mac };
    if (anchor !== undefined && entry.seq < anchor.seq) macsBeforeAnchor.add(mac);
    previous = { seq: entry.seq, mac };
  }
  if (anchor !== undefined) {
    const problem =
      anchorProblem(anchor, previous, anchoredMac, gaps) ?? previousAnchorProblem(anchor, macsBeforeAnchor, gaps);
    if (problem !== undefined) return { valid: false, ...problem, line: problem.line ?? parsed.entries.length + 1 };
  }
  return { valid: true, entries: parsed.entries.length, last: previous, gaps };
}

function anchorProblem(
  anchor: AnchorPosition,
  last: LogPosition,
  anchored: { line: number; mac: string } | undefined,
  gaps: readonly ReadLogGap[],
): { problem: 'truncated' | 'diverged'; reason: string; line?: number } | undefined {
  if (anchor.seq > last.seq) {
    return {
      problem: 'truncated',
      reason: `truncated: the ledger anchors entry ${anchor.seq} but the log ends at entry ${last.seq}`,
    };
  }
  if (anchored !== undefined) {
    if (anchored.mac === anchor.head) return undefined;
    return {
      problem: 'diverged',
      line: anchored.line,
      reason: `entry ${anchor.seq} is not the entry the ledger anchors (its MAC differs)`,
    };
  }
  // No entry has the anchored seq: a recorded gap must cover it.
  const covering = gaps.find((gap) => gap.found.seq < anchor.seq && anchor.seq <= gap.anchored.seq);
  if (covering !== undefined && (covering.anchored.seq !== anchor.seq || covering.anchored.head === anchor.head))
    return undefined;
  return { problem: 'diverged', reason: `the log has no entry ${anchor.seq}, which the ledger anchors` };
}

/**
 * Whether the anchor before `anchor` (its `previousHead`) is in the log: an entry before the
 * anchored one, an anchored position a gap entry records, or — unknowable by MAC alone — within
 * entries a gap before the anchored one says were lost.
 */
function previousAnchorProblem(
  anchor: AnchorPosition,
  macsBeforeAnchor: ReadonlySet<string>,
  gaps: readonly ReadLogGap[],
): { problem: 'diverged'; reason: string; line?: number } | undefined {
  const previous = anchor.previousHead;
  if (previous === undefined || macsBeforeAnchor.has(previous)) return undefined;
  // A gap that records this very anchor has reported the discrepancy already.
  const recorded = (gap: ReadLogGap) => gap.anchored.seq === anchor.seq && gap.anchored.head === anchor.head;
  if (gaps.some((gap) => gap.anchored.head === previous || recorded(gap) || lostBefore(gap, anchor.seq)))
    return undefined;
  return {
    problem: 'diverged',
    reason: `the ledger's anchor of entry ${anchor.seq} follows an anchor of head ${previous}, which is no entry of the log`,
  };
}

/**
 * Whether entries below `seq` may be ones the gap says were lost (truncated: after `found`) or
 * replaced (diverged: up to the gap entry): an anchor of one of them cannot be checked by MAC.
 */
function lostBefore(gap: ReadLogGap, seq: number): boolean {
  return gap.found.seq + 1 < seq || Math.max(gap.found.seq, gap.anchored.seq) + 1 <= seq;
}

/** The entries of a log file, unchecked (verify it first); none when a line does not parse. */
export function readAuditorReadLogEntries(path: string): AuditorReadEntry[] {
  const parsed = parseLog(path);
  return parsed.valid ? parsed.entries : [];
}

type ParsedLog =
  | { readonly valid: true; readonly entries: AuditorReadEntry[] }
  | { readonly valid: false; readonly problem: 'broken'; readonly line: number; readonly reason: string };

/** Every line as an entry, without checking the chain (that needs the key). */
function parseLog(path: string): ParsedLog {
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (text !== '' && !text.endsWith('\n')) {
    return { valid: false, problem: 'broken', line: text.split('\n').length, reason: 'the last line is incomplete' };
  }
  const lines = text === '' ? [] : text.slice(0, -1).split('\n');
  const entries: AuditorReadEntry[] = [];
  for (const [index, line] of lines.entries()) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return { valid: false, problem: 'broken', line: index + 1, reason: 'not valid JSON' };
    }
    const parsed = entrySchema.safeParse(json);
    if (!parsed.success)
      return { valid: false, problem: 'broken', line: index + 1, reason: 'not an auditor-read entry' };
    entries.push(parsed.data);
  }
  return { valid: true, entries };
}

export interface AuditorReadLogOptions {
  /** The log file (JSON lines). */
  readonly path: string;
  /** The HMAC key file; default `<path>.key`. */
  readonly keyPath?: string;
  /** The log's name on the ledger (`ReadAnchor.log`); default the file name without `.jsonl`. */
  readonly name?: string;
}

/** How opening the log went, for the app's start-up log. */
export interface AuditorReadLogOpening {
  /** A new key was generated (a new, empty log). */
  readonly createdKey: boolean;
  /** A log of the earlier unkeyed format was moved here, and a new keyed log started. */
  readonly archivedUnkeyedLog?: string;
}

/**
 * The org's append-only log of auditor reads: one JSON line per read, each carrying the previous
 * line's MAC (HMAC-SHA256 under a key only this app holds, in a 0600 file beside the log). No API
 * route can change it; altering any line breaks the chain, which {@link verifyAuditorReadLog}
 * detects. The app anchors the chain's head on the ledger (see read-log-anchorer.ts), so removing
 * entries from the end is detected too: before it takes entries, the log is compared with the
 * ledger's latest anchor ({@link AuditorReadLog.reconcile}), and a log that lost anchored entries
 * continues with a gap entry that records them. Appends are serialised, so the chain stays linear
 * under concurrent requests.
 */
export class AuditorReadLog {
  readonly path: string;
  readonly keyPath: string;
  readonly name: string;
  readonly opening: AuditorReadLogOpening;
  private readonly key: Buffer;
  private last: LogPosition & { readonly time: string | undefined };
  private readonly recordedGaps: ReadLogGap[];
  private reconciled = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ((entry: AuditorReadEntry) => void)[] = [];

  /**
   * Opens the log, creating it (and its key) when absent.
   *
   * @throws AuditorReadLogError when the chain fails verification, or the key is missing while the
   *   log holds entries (a lost key is reported, never silently replaced)
   */
  constructor(options: AuditorReadLogOptions) {
    this.path = options.path;
    this.keyPath = options.keyPath ?? defaultReadLogKeyPath(options.path);
    this.name = options.name ?? defaultReadLogName(options.path);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const { key, opening } = openKey(this.path, this.keyPath);
    this.key = key;
    this.opening = opening;
    if (!existsSync(this.path)) closeSync(openSync(this.path, 'a', 0o600));
    chmodSync(this.path, 0o600);
    const verification = verifyAuditorReadLog(this.path, this.key);
    if (!verification.valid) {
      // Appending to a broken chain would hide where it broke.
      throw new AuditorReadLogError(
        `the auditor-read log ${this.path} fails verification at line ${verification.line}: ${verification.reason}`,
      );
    }
    this.last = { ...verification.last, time: lastTime(this.path) };
    this.recordedGaps = [...verification.gaps];
  }

  /** The last entry: what an anchor names. */
  get position(): LogPosition & { readonly time: string | undefined } {
    return this.last;
  }

  /** Whether the log has been compared with the ledger's anchor and takes entries. */
  get isReconciled(): boolean {
    return this.reconciled;
  }

  /** Gaps the log records, oldest first. */
  get gaps(): readonly ReadLogGap[] {
    return this.recordedGaps;
  }

  /** Calls `listener` with every entry appended from now on, in order. */
  onAppend(listener: (entry: AuditorReadEntry) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Compares the log with the ledger's latest anchor of it (`undefined`: never anchored) and opens
   * it for entries. When the log lacks the anchored entry — truncated, removed, or replaced — it
   * does not silently start over: it appends a gap entry recording the anchored position and the
   * last entry it found, and returns the gap for the app to report.
   */
  async reconcile(anchor: AnchorPosition | undefined): Promise<ReadLogGap | undefined> {
    if (this.reconciled) throw new Error('the auditor-read log is reconciled already');
    let gap: ReadLogGap | undefined;
    if (anchor !== undefined) {
      const verification = verifyAuditorReadLog(this.path, this.key, anchor);
      if (!verification.valid) {
        if (verification.problem === 'broken') {
          throw new AuditorReadLogError(
            `the auditor-read log ${this.path} fails verification at line ${verification.line}: ${verification.reason}`,
          );
        }
        gap = {
          reason: verification.problem,
          anchored: { seq: anchor.seq, head: anchor.head },
          found: { seq: this.last.seq, mac: this.last.mac },
        };
        await this.write({
          seq: Math.max(this.last.seq, anchor.seq) + 1,
          event: 'gap',
          time: new Date().toISOString(),
          gap,
          prevMac: this.last.mac,
        });
        this.recordedGaps.push(gap);
      }
    }
    this.reconciled = true;
    return gap;
  }

  /**
   * Appends one read; resolves once the line is written (the read is answered only after that).
   *
   * @throws AuditorReadLogUnavailableError before {@link reconcile}
   */
  append(read: AuditorRead): Promise<ReadEntry> {
    if (!this.reconciled) {
      return Promise.reject(
        new AuditorReadLogUnavailableError('the auditor-read log has not been compared with its ledger anchor yet'),
      );
    }
    const { omittedSubjectRefs, ...rest } = read;
    const next = this.queue.then(() =>
      this.write({
        ...rest,
        ...(omittedSubjectRefs === undefined || omittedSubjectRefs === 0 ? {} : { omittedSubjectRefs }),
        seq: this.last.seq + 1,
        prevMac: this.last.mac,
      }),
    ) as Promise<ReadEntry>;
    // A failed append must not wedge later ones; the failure still reaches this caller.
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once every append made so far is written (or failed). */
  async settled(): Promise<void> {
    await this.queue;
  }

  private async write(unsigned: Omit<ReadEntry, 'mac'> | Omit<GapEntry, 'mac'>): Promise<AuditorReadEntry> {
    const entry = { ...unsigned, mac: entryMac(this.key, unsigned) } as AuditorReadEntry;
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, { encoding: 'utf8', flag: 'a' });
    this.last = { seq: entry.seq, mac: entry.mac, time: entry.time };
    for (const listener of this.listeners) listener(entry);
    return entry;
  }
}

/** `auditor-reads.jsonl` → `auditor-reads`: each app instance has its own file, so its own name. */
export function defaultReadLogName(path: string): string {
  const name = basename(path)
    .replace(/\.jsonl$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .slice(0, 64);
  return /^[A-Za-z0-9]/.test(name) ? name : `log-${name}`.slice(0, 64);
}

function lastTime(path: string): string | undefined {
  const text = readFileSync(path, 'utf8');
  const lastLine = text.slice(0, -1).split('\n').pop() ?? '';
  if (lastLine === '') return undefined;
  return (JSON.parse(lastLine) as { time?: string }).time;
}

/**
 * The log's key: read it, or create one for a new log. A log that holds entries but has no key
 * stays as it is and the app refuses to start — unless it is a log of the earlier unkeyed format,
 * which is moved aside (it can still be checked on its own) before a new keyed log starts.
 */
function openKey(path: string, keyPath: string): { key: Buffer; opening: AuditorReadLogOpening } {
  try {
    if (existsSync(keyPath)) return { key: readReadLogKey(keyPath), opening: { createdKey: false } };
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    if (text === '') return { key: createReadLogKey(keyPath), opening: { createdKey: true } };
    if (isUnkeyedLegacyLog(text)) {
      const archived = `${path}.unkeyed-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(path, archived);
      return { key: createReadLogKey(keyPath), opening: { createdKey: true, archivedUnkeyedLog: archived } };
    }
    // Report what is wrong with the lines first: a tampered file is named as such.
    const parsed = parseLog(path);
    if (!parsed.valid) {
      throw new AuditorReadLogError(
        `the auditor-read log ${path} fails verification at line ${parsed.line}: ${parsed.reason}`,
      );
    }
    throw new AuditorReadLogError(
      `the auditor-read log ${path} holds entries but its key ${keyPath} is missing: the log cannot be verified or continued. ` +
        'Restore the key; or move the log and its key aside to keep them as evidence, and restart (the new log records the gap against the ledger anchor).',
    );
  } catch (error) {
    if (error instanceof ReadLogKeyError) throw new AuditorReadLogError(error.message);
    throw error;
  }
}
