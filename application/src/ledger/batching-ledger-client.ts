import {
  LIMITS,
  TRANSACTIONS,
  batchedInteractionView,
  isBatchedRecordLocator,
  merkleRoot,
  recordLeafBytes,
  recordLeafHash,
  type BatchedRecordLocator,
  type InteractionInput,
  type StoredInteraction,
} from '@aal/ledger-contract';
import type { BatchSummary } from '../interactions/batch-ledger';
import type { ChaincodeEventStream } from './chaincode-event';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from './ledger-client';
import { LedgerError } from './ledger-error';

/** How single-record submits are gathered into Merkle batches (AAL_INTERACTION_BATCH_* in docs/api.md). */
export interface InteractionBatchingConfig {
  /** Records per `RecordBatch` transaction; 1 turns gathering off. At most `LIMITS.merkleBatchRecords`. */
  readonly maxRecords: number;
  /** How long the first record of a batch waits for others before the batch is sent. */
  readonly lingerMs: number;
  /**
   * Batches a channel has in flight (sent, not yet answered) at most. While all are in flight, new
   * records keep gathering into the next batch, so batches grow with the load instead of the
   * network carrying many small transactions (group commit).
   */
  readonly maxInFlight: number;
}

/** Called when a batch is sent, with how many records it carries (for metrics). */
export type BatchListener = (channel: string, records: number) => void;

/** Called when the number of records waiting on a channel (not yet sent) may have changed, with that number. */
export type WaitingListener = (channel: string, records: number) => void;

const SINGLE = TRANSACTIONS.recordInteraction;
const BATCH = TRANSACTIONS.recordBatch;
/** A batch stays one record's size below the contract's byte limit of `RecordBatch`. */
const MAX_BATCH_ARGUMENT_BYTES = LIMITS.merkleBatchBytes - LIMITS.interactionBytes;
/**
 * Records that may wait for a slot on a channel, in full batches of every slot: beyond that the
 * ledger is far behind, and a new request is refused at once rather than queued without bound.
 */
const WAITING_ROUNDS = 8;

interface Waiting {
  readonly id: string;
  readonly json: string;
  /** The record as sent, for its leaf and its stored view. */
  readonly input: InteractionInput;
  readonly bytes: number;
  readonly resolve: (result: SubmitResult) => void;
  readonly reject: (error: unknown) => void;
}

interface OpenBatch {
  readonly waiting: Waiting[];
  bytes: number;
  readonly timer: NodeJS.Timeout;
  /** The linger has passed: the batch goes as soon as the channel has a free slot. */
  due: boolean;
}

/** A channel's gathering: the batch still taking records, full batches waiting for a slot, slots used. */
interface ChannelQueue {
  open: OpenBatch | undefined;
  readonly full: Waiting[][];
  inFlight: number;
}

/**
 * A {@link LedgerClient} that gathers concurrent `Interactions:RecordInteraction` submits on a
 * channel into one `Batches:RecordBatch` transaction (a Merkle batch) — up to `maxRecords`, or
 * whatever arrived within `lingerMs` of the first — and answers each caller with its own stored
 * record, as `GetInteraction` shows it (`txId` = `batchId` = the batch's transaction, `leafIndex`),
 * only after the batch commits, so an acknowledged record is on the ledger and provable.
 *
 * - **Group commit.** At most `maxInFlight` batches per channel are in flight; a batch whose linger
 *   has passed while every slot is taken keeps gathering (up to `maxRecords`) and goes when a slot
 *   frees. Under load, batches therefore carry what arrived during one round trip of the ledger.
 *   At most `WAITING_ROUNDS` × `maxRecords` × `maxInFlight` records wait on a channel; a request
 *   beyond that fails at once as unavailable (transient), unsent.
 *
 * - **Answers.** The ledger's root must equal the root of the records sent (else the callers get an
 *   internal error). Records that carry a consent reference are read back with `GetInteraction`
 *   (the verdict is the ledger's), plus the batch's first record (for the recording identity); the
 *   others are the contract's batched view of what was sent.
 * - **Repeats.** A record the chaincode reports as already recorded (same id, content and org, in
 *   an earlier batch) is answered with the stored record from `GetInteraction`, so the route says 200.
 * - **Refusals.** A batch is all or nothing in the chaincode: when it is refused for a non-transient
 *   reason it is split in halves, which wait for slots ahead of the other batches, until the refused
 *   record stands alone; a lone refused record is sent once more as the single-record transaction,
 *   whose answer — its refusal (409, 422…) with the single-record field paths, or the stored record
 *   for a repeat of a record recorded one at a time — is its caller's. A transient failure that outlasted the retries fails every caller with it.
 * - **One id, one batch.** A request whose id is already waiting or in flight on the channel is held
 *   back until that one is answered, then gathered: it is then a repeat (200) or a conflict (409),
 *   decided by the ledger, never a duplicate inside one batch (which `RecordBatch` refuses).
 *
 * @example
 * ```ts
 * const ledger = new BatchingLedgerClient(retrying, { maxRecords: 100, lingerMs: 10, maxInFlight: 8 });
 * await ledger.submit('hospital-a', TRANSACTIONS.recordInteraction, [JSON.stringify(record)], { idempotent: true });
 * ```
 */
export class BatchingLedgerClient implements LedgerClient {
  private readonly channels = new Map<string, ChannelQueue>();
  /** Per channel and id: settles when the request last given that id has been answered. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly inner: LedgerClient,
    private readonly config: InteractionBatchingConfig,
    private readonly onBatch: BatchListener = () => undefined,
    private readonly onWaiting: WaitingListener = () => undefined,
  ) {
    if (
      !Number.isInteger(config.maxRecords) ||
      config.maxRecords < 1 ||
      config.maxRecords > LIMITS.merkleBatchRecords
    ) {
      throw new RangeError(`maxRecords must be a whole number from 1 to ${LIMITS.merkleBatchRecords}`);
    }
    if (!Number.isInteger(config.lingerMs) || config.lingerMs < 0)
      throw new RangeError('lingerMs must be a whole number ≥ 0');
    if (!Number.isInteger(config.maxInFlight) || config.maxInFlight < 1)
      throw new RangeError('maxInFlight must be a whole number ≥ 1');
  }

  submit(
    channel: string,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const json = args[0];
    const input = transaction === SINGLE && args.length === 1 && json !== undefined ? recordOf(json) : undefined;
    // Only plain, retry-safe single records are gathered; anything else (or a record whose id the
    // chaincode will refuse anyway) goes through unchanged.
    if (
      this.config.maxRecords === 1 ||
      input === undefined ||
      json === undefined ||
      options.transient !== undefined ||
      options.idempotent !== true
    ) {
      return this.inner.submit(channel, transaction, args, options);
    }
    const key = `${channel}\u0000${input.id}`;
    const earlier = this.inFlight.get(key);
    const answered = (async (): Promise<SubmitResult> => {
      // Settled either way; its outcome is its own caller's.
      if (earlier !== undefined) await earlier;
      return new Promise<SubmitResult>((resolve, reject) => {
        this.enqueue(channel, { id: input.id, json, input, bytes: Buffer.byteLength(json) + 1, resolve, reject });
      });
    })();
    const settled = answered.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.set(key, settled);
    void settled.then(() => {
      if (this.inFlight.get(key) === settled) this.inFlight.delete(key);
    });
    return answered;
  }

  evaluate(channel: string, transaction: string, args: readonly string[], options?: EvaluateOptions): Promise<string> {
    return this.inner.evaluate(channel, transaction, args, options);
  }

  evaluateSystem(
    channel: string,
    chaincode: 'qscc',
    transaction: string,
    args: readonly string[],
  ): Promise<Uint8Array> {
    return this.inner.evaluateSystem(channel, chaincode, transaction, args);
  }

  chaincodeEvents(channel: string, startBlock: bigint | undefined): Promise<ChaincodeEventStream> {
    return this.inner.chaincodeEvents(channel, startBlock);
  }

  ready(): Promise<boolean> {
    return this.inner.ready();
  }

  /** Fails records still waiting for their batch (none was acknowledged), then closes the inner client. */
  close(): void {
    this.closed = true;
    for (const [channel, queue] of this.channels) {
      const waiting = [...queue.full.splice(0).flat(), ...(queue.open?.waiting ?? [])];
      if (queue.open !== undefined) clearTimeout(queue.open.timer);
      queue.open = undefined;
      for (const entry of waiting) entry.reject(shuttingDown());
      this.reportWaiting(channel, queue);
    }
    this.inner.close();
  }

  private queueOf(channel: string): ChannelQueue {
    let queue = this.channels.get(channel);
    if (queue === undefined) {
      queue = { open: undefined, full: [], inFlight: 0 };
      this.channels.set(channel, queue);
    }
    return queue;
  }

  private enqueue(channel: string, waiting: Waiting): void {
    if (this.closed) {
      waiting.reject(shuttingDown());
      return;
    }
    const queue = this.queueOf(channel);
    const waitingLimit = WAITING_ROUNDS * this.config.maxRecords * this.config.maxInFlight;
    if (waitingRecords(queue) >= waitingLimit) {
      waiting.reject(
        new LedgerError(
          'unavailable',
          `${waitingLimit} records are already waiting for the ledger on channel ${channel}; the record was not submitted`,
          { transient: true },
        ),
      );
      return;
    }
    if (queue.open !== undefined && queue.open.bytes + waiting.bytes > MAX_BATCH_ARGUMENT_BYTES) this.seal(queue);
    if (queue.open === undefined) {
      const batch: OpenBatch = {
        waiting: [],
        bytes: 2,
        due: false,
        timer: setTimeout(() => {
          batch.due = true;
          this.pump(channel);
        }, this.config.lingerMs),
      };
      queue.open = batch;
    }
    queue.open.waiting.push(waiting);
    queue.open.bytes += waiting.bytes;
    if (queue.open.waiting.length >= this.config.maxRecords) this.seal(queue);
    this.pump(channel);
  }

  /** Closes the open batch to further records; it waits among the full ones for a slot. */
  private seal(queue: ChannelQueue): void {
    if (queue.open === undefined) return;
    clearTimeout(queue.open.timer);
    queue.full.push(queue.open.waiting);
    queue.open = undefined;
  }

  /** Sends full batches, then a due open one, while the channel has free slots. */
  private pump(channel: string): void {
    const queue = this.queueOf(channel);
    while (queue.inFlight < this.config.maxInFlight) {
      if (queue.full.length === 0 && queue.open?.due === true) this.seal(queue);
      const batch = queue.full.shift();
      if (batch === undefined) break;
      queue.inFlight += 1;
      void this.submitBatch(channel, queue, batch).finally(() => {
        queue.inFlight -= 1;
        this.pump(channel);
      });
      try {
        this.onBatch(channel, batch.length);
      } catch {
        // A listener (metrics) must not fail records already sent.
      }
    }
    this.reportWaiting(channel, queue);
  }

  private reportWaiting(channel: string, queue: ChannelQueue): void {
    try {
      this.onWaiting(channel, waitingRecords(queue));
    } catch {
      // As for onBatch: metrics must not fail a write.
    }
  }

  /**
   * Submits the records as one Merkle batch; when the chaincode refuses it, queues its halves at the
   * head of the channel's queue, so a refused record costs about 2·log2(n) extra transactions, its
   * neighbours still share theirs, and the channel never has more than `maxInFlight` in flight.
   */
  private async submitBatch(channel: string, queue: ChannelQueue, waiting: readonly Waiting[]): Promise<void> {
    let submitted: SubmitResult;
    try {
      submitted = await this.inner.submit(channel, BATCH, [`[${waiting.map((entry) => entry.json).join(',')}]`], {
        idempotent: true,
      });
    } catch (error) {
      if (!(error instanceof LedgerError) || error.transient) {
        for (const entry of waiting) entry.reject(error);
      } else if (waiting.length === 1) {
        await this.submitAlone(channel, waiting[0] as Waiting);
      } else if (this.closed) {
        for (const entry of waiting) entry.reject(shuttingDown());
      } else {
        const half = Math.ceil(waiting.length / 2);
        queue.full.unshift(waiting.slice(0, half), waiting.slice(half));
      }
      return;
    }
    try {
      await this.answer(channel, waiting, submitted);
    } catch (error) {
      // Only callers not answered yet are affected (a settled promise ignores a second settlement).
      const failure =
        error instanceof LedgerError
          ? error
          : new LedgerError('internal', `RecordBatch committed, but its answer could not be read: ${String(error)}`, {
              cause: error,
            });
      for (const entry of waiting) entry.reject(failure);
    }
  }

  /** Answers every caller of a committed batch with its stored record (see the class comment). */
  private async answer(channel: string, waiting: readonly Waiting[], submitted: SubmitResult): Promise<void> {
    const summary = JSON.parse(submitted.result) as BatchSummary;
    const { transactionId, blockNumber } = submitted;
    // An exact replay answers an earlier batch's summary: every record was already recorded.
    const isNew = summary.batchId === transactionId;
    const repeated = new Set(isNew ? summary.alreadyRecorded.map((entry) => entry.index) : waiting.keys());
    const fresh = waiting.filter((_, index) => !repeated.has(index));
    const repeats = waiting.filter((_, index) => repeated.has(index));
    const reply = (entry: Waiting, record: StoredInteraction): void =>
      entry.resolve({ result: JSON.stringify(record), transactionId, blockNumber });

    // Read on the org's own peer, the one whose commit status said committed: were it unavailable
    // (its chaincode server down), the gateway would ask another org's peer, which may not have
    // committed the block yet and answer NOT_FOUND for a record that is on the ledger.
    const readBack = async (entry: Waiting): Promise<StoredInteraction> =>
      storedView(
        JSON.parse(
          await this.inner.evaluate(channel, TRANSACTIONS.getInteraction, [entry.id], { ownOrgOnly: true }),
        ) as StoredInteraction | BatchedRecordLocator,
        entry.input,
      );
    const repeatsAnswered = Promise.all(repeats.map(async (entry) => reply(entry, await readBack(entry))));
    if (fresh.length > 0) {
      const root = merkleRoot(fresh.map((entry) => recordLeafBytes(entry.input))).toString('hex');
      if (summary.size !== fresh.length || summary.root !== root)
        throw new LedgerError(
          'internal',
          `RecordBatch ${transactionId} committed ${summary.size} records under root ${summary.root}, not the ${fresh.length} sent (root ${root})`,
        );
      // The ledger's own view of the first record (recording identity) and of every record with a
      // consent verdict; the others are the same view of exactly what the root commits to.
      const readIndexes = fresh
        .map((entry, leafIndex) => ({ entry, leafIndex }))
        .filter(({ entry, leafIndex }) => leafIndex === 0 || hasConsentReference(entry.input));
      const read = new Map<number, StoredInteraction>();
      await Promise.all(
        readIndexes.map(async ({ entry, leafIndex }) => {
          const stored = await readBack(entry);
          if (stored.txId !== transactionId || stored.batchId !== transactionId || stored.leafIndex !== leafIndex)
            throw new LedgerError('internal', `interaction ${entry.id} is not leaf ${leafIndex} of ${transactionId}`);
          read.set(leafIndex, stored);
        }),
      );
      const first = read.get(0) as StoredInteraction;
      const header = {
        batchId: transactionId,
        org: first.org,
        recordedBy: first.recordedBy,
        txTime: first.txTime,
        size: summary.size,
        root,
      };
      fresh.forEach((entry, leafIndex) =>
        reply(
          entry,
          read.get(leafIndex) ??
            batchedInteractionView(header, { record: entry.input, batchId: transactionId, leafIndex }),
        ),
      );
    }
    await repeatsAnswered;
  }

  private async submitAlone(channel: string, entry: Waiting): Promise<void> {
    try {
      entry.resolve(await this.inner.submit(channel, SINGLE, [entry.json], { idempotent: true }));
    } catch (error) {
      entry.reject(error);
    }
  }
}

/** Records on a channel not yet sent: in full batches and in the open one. */
function waitingRecords(queue: ChannelQueue): number {
  return queue.full.reduce((sum, batch) => sum + batch.length, queue.open?.waiting.length ?? 0);
}

function shuttingDown(): LedgerError {
  return new LedgerError('unavailable', 'the application is shutting down; the record was not submitted', {
    transient: true,
  });
}

/**
 * The stored view of a record read back with `GetInteraction`: the record itself, or — for a lean
 * batched record, which the chaincode answers with its locator (leaf hash and the ledger's fields:
 * org, recording identity, time, consent verdict) — the record as sent with the locator's fields,
 * once the leaf hash the ledger holds is the leaf of exactly that record.
 */
function storedView(answer: StoredInteraction | BatchedRecordLocator, sent: InteractionInput): StoredInteraction {
  if (!isBatchedRecordLocator(answer)) return answer;
  const { leafHash, ...ledgerFields } = answer;
  if (recordLeafHash(sent).toString('hex') !== leafHash)
    throw new LedgerError(
      'internal',
      `interaction ${answer.id} on the ledger is not the record sent (leaf ${leafHash})`,
    );
  return { ...sent, ...ledgerFields };
}

/** Whether the chaincode takes a consent verdict for the record (it names a subject or a consent). */
function hasConsentReference(input: InteractionInput): boolean {
  return input.subjectRef !== undefined || input.consentId !== undefined;
}

/** The record when the argument is a JSON object with a string id; otherwise undefined. */
function recordOf(json: string): InteractionInput | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    // The chaincode validates the rest; a record it refuses comes back as its caller's refusal.
    return typeof (parsed as { id?: unknown }).id === 'string' ? (parsed as InteractionInput) : undefined;
  } catch {
    return undefined;
  }
}
