import { MSP_ID_PATTERN, orgNamespaceOf } from '@aal/ledger-contract';
import { MAX_SUBJECT_REFS, type ReadScope } from './auditor-read-log';

/**
 * The fields that name a record's data owner, in the order they are looked for: interactions,
 * batches, training runs and erasure receipts carry `org`, consents `controller`, artifacts
 * `registeredBy`, transaction proofs `creatorMspId`.
 */
const OWNER_FIELDS = ['org', 'controller', 'registeredBy', 'creatorMspId'] as const;

/** Nesting beyond this is not a record the API answers; it is not walked. */
const MAX_DEPTH = 8;

/**
 * Counts what a read returned, by data owner, and collects the subjects it concerned, for the
 * auditor-read log. Routes hand it their answer ({@link ReadTally.records}); routes whose answer does
 * not hold the records (a summary, a stream) count them as they read them.
 */
export class ReadTally {
  private readonly owners = new Map<string, number>();
  private readonly subjects = new Set<string>();
  private omitted = 0;

  /** Counts `count` records of `owner` (an MSP id; anything else is ignored). */
  owner(owner: string, count = 1): this {
    if (MSP_ID_PATTERN.test(owner) && count > 0) this.owners.set(owner, (this.owners.get(owner) ?? 0) + count);
    return this;
  }

  /** Notes a subject the read concerned. */
  subject(subjectRef: string): this {
    if (this.subjects.has(subjectRef)) return this;
    if (this.subjects.size < MAX_SUBJECT_REFS) this.subjects.add(subjectRef);
    else this.omitted += 1;
    return this;
  }

  /** Counts subjects the read concerned that were not listed (a summary's database counts them). */
  subjectsOmitted(count: number): this {
    if (count > 0) this.omitted += count;
    return this;
  }

  /**
   * Counts every record in a JSON answer: each object naming an owner ({@link OWNER_FIELDS}) is one
   * record of that owner (objects inside it are part of it), and every `subjectRef` is noted. An
   * object with a `subjectRef` but no owner (e.g. a subject lookup's answer) is a record of the
   * org whose namespace the subjectRef is in.
   */
  records(value: unknown): this {
    this.walk(value, false, 0);
    return this;
  }

  /** True when nothing was counted or noted. */
  get isEmpty(): boolean {
    return this.owners.size === 0 && this.subjects.size === 0 && this.omitted === 0;
  }

  /** Whether any record was counted. */
  get hasRecords(): boolean {
    return this.owners.size > 0;
  }

  scope(): ReadScope {
    const readsByOwner = Object.fromEntries([...this.owners.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      readsByOwner,
      subjectRefs: [...this.subjects].sort(),
      ...(this.omitted > 0 ? { omittedSubjectRefs: this.omitted } : {}),
    };
  }

  private walk(value: unknown, insideRecord: boolean, depth: number): void {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) this.walk(item, insideRecord, depth + 1);
      return;
    }
    const object = value as Record<string, unknown>;
    const subjectRef = typeof object.subjectRef === 'string' ? object.subjectRef : undefined;
    if (subjectRef !== undefined) this.subject(subjectRef);
    let counted = insideRecord;
    if (!insideRecord) {
      const ownerField = OWNER_FIELDS.find((field) => typeof object[field] === 'string');
      const owner = ownerField === undefined ? undefined : (object[ownerField] as string);
      const fromSubject = subjectRef === undefined ? undefined : orgNamespaceOf(subjectRef);
      if (owner !== undefined || fromSubject !== undefined) {
        this.owner(owner ?? fromSubject ?? '');
        counted = true;
      }
    }
    for (const child of Object.values(object)) this.walk(child, counted, depth + 1);
  }
}
