import { TRANSACTIONS, type ReadAnchor, type StoredReadAnchor } from '@aal/ledger-contract';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { LedgerError } from '../ledger/ledger-error';
import type { LedgerClient } from '../ledger/ledger-client';
import {
  readAuditorReadLogEntries,
  type AuditorReadEntry,
  type AuditorReadLog,
  type ReadLogGap,
} from './auditor-read-log';

/** When the app anchors its auditor-read log on the ledger (AAL_READ_ANCHOR_* in config.ts). */
export interface ReadAnchoringConfig {
  /** Anchor once this many entries are not anchored on some channel. */
  readonly everyEntries: number;
  /** Anchor at least this often while entries are not anchored; failed anchors are retried sooner. */
  readonly intervalMs: number;
}

/** What /readyz reports about the log. */
export interface ReadLogStatus {
  readonly name: string;
  /** Compared with the ledger's anchor, so it takes entries (until then auditor reads are answered 503). */
  readonly reconciled: boolean;
  readonly lastSeq: number;
  /** The lowest seq anchored on any of the org's channels (0: none). */
  readonly anchoredSeq: number;
  readonly unanchoredEntries: number;
  readonly anchorFailures: number;
  readonly lastError?: string;
  /** Gaps the log records: anchored entries it no longer held when the app started. */
  readonly gaps: readonly ReadLogGap[];
}

interface ChannelState {
  anchoredSeq: number;
  /** The head of the latest anchor on this channel: the next anchor names it as `previousHead`. */
  anchoredHead: string | undefined;
  /** Records per owner read on this channel since its last anchor, and when the first unanchored entry was written. */
  pending: Map<string, number>;
  pendingFrom: string | undefined;
}

/** The log's latest anchor on a channel, or `undefined` when it has none. */
export async function latestReadAnchor(
  ledger: LedgerClient,
  channel: string,
  org: string,
  log: string,
): Promise<StoredReadAnchor | undefined> {
  try {
    return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getLatestReadAnchor, [org, log])) as StoredReadAnchor;
  } catch (error) {
    if (error instanceof LedgerError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

const MIN_RETRY_MS = 1_000;

/**
 * Keeps the auditor-read log anchored on every channel of the org (`ReadLog:AnchorReads`, signed
 * with the org's admin identity): first it compares the log with the ledger's latest anchor
 * (retrying until the peer answers; the log takes no entries before), then it anchors the head
 * once {@link ReadAnchoringConfig.everyEntries} entries are unanchored, at least every
 * {@link ReadAnchoringConfig.intervalMs}, and on {@link stop}. Each channel's anchor counts the
 * records of each data owner read on that channel since its previous anchor, so each owner sees
 * on its own channel how much of its data was read. Failures never block reads: they are counted,
 * reported in {@link status}, and retried with backoff; the next anchor counts what the failed one
 * would have.
 */
export class ReadLogAnchorer {
  private readonly channels = new Map<string, ChannelState>();
  private readonly logger: Logger | undefined;
  private readonly metrics: ReadLogMetrics | undefined;
  private running: Promise<boolean> | undefined;
  private interval: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failuresInARow = 0;
  private failures = 0;
  private lastError: string | undefined;
  private stopped = false;
  private busy = false;
  private again = false;

  constructor(
    private readonly deps: {
      readonly log: AuditorReadLog;
      /** Signs anchors: the org's admin identity (auditors never write). */
      readonly ledger: LedgerClient;
      readonly mspId: string;
      readonly channels: readonly string[];
      readonly config: ReadAnchoringConfig;
      readonly logger?: Logger;
      readonly registry?: Registry;
    },
  ) {
    this.logger = deps.logger;
    this.metrics = deps.registry === undefined ? undefined : readLogMetrics(deps.registry, () => this.status());
    for (const channel of deps.channels)
      this.channels.set(channel, {
        anchoredSeq: 0,
        anchoredHead: undefined,
        pending: new Map(),
        pendingFrom: undefined,
      });
    deps.log.onAppend((entry) => this.note(entry));
  }

  /** Reconciles (retrying until it succeeds) and then anchors on the configured cadence; returns at once. */
  start(): void {
    void this.reconcileUntilDone();
  }

  /**
   * One attempt to compare the log with its latest anchor on the org's channels (the highest
   * `seq` among them) and open it for entries. A log that lacks anchored entries gets a gap entry;
   * the gap is logged as an error and reported in {@link status}.
   */
  async reconcile(): Promise<void> {
    const { ledger, mspId, log } = this.deps;
    const anchors = await Promise.all(
      [...this.channels.keys()].map(
        async (channel) => [channel, await latestReadAnchor(ledger, channel, mspId, log.name)] as const,
      ),
    );
    const latest = anchors.reduce<StoredReadAnchor | undefined>(
      (highest, [, anchor]) =>
        anchor !== undefined && (highest === undefined || anchor.seq > highest.seq) ? anchor : highest,
      undefined,
    );
    // What each channel has not seen anchored yet (entries written before a crash, say) is counted from the file.
    const entries = readAuditorReadLogEntries(log.path);
    for (const [channel, anchor] of anchors) {
      const state = this.channels.get(channel) as ChannelState;
      state.anchoredSeq = anchor?.seq ?? 0;
      state.anchoredHead = anchor?.head;
      state.pending = new Map();
      state.pendingFrom = undefined;
      for (const entry of entries) if (entry.seq > state.anchoredSeq) this.add(state, channel, entry);
    }
    const gap = await log.reconcile(
      latest === undefined
        ? undefined
        : {
            seq: latest.seq,
            head: latest.head,
            ...(latest.previousHead === undefined ? {} : { previousHead: latest.previousHead }),
          },
    );
    if (gap !== undefined) {
      this.metrics?.gaps.inc();
      this.logger?.error(
        { readLog: log.name, path: log.path, gap },
        'the auditor-read log lacks entries the ledger anchors (truncated, removed or replaced): a gap entry records them and the log continues from there',
      );
    }
    this.interval = setInterval(() => {
      if (this.unanchored() > 0) this.trigger();
    }, this.deps.config.intervalMs);
    this.interval.unref();
    if (this.unanchored() > 0) this.trigger();
  }

  /**
   * Anchors the log's head on every channel where it is not anchored yet; resolves `true` when all
   * succeeded. One run at a time: a call during a run waits for it and runs again.
   */
  anchorNow(): Promise<boolean> {
    const previous = this.running ?? Promise.resolve(true);
    const run = previous.catch(() => false).then(() => this.anchorOnce());
    this.running = run;
    return run;
  }

  /** Stops the cadence and anchors what is left, waiting at most `timeoutMs`. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    clearInterval(this.interval);
    clearTimeout(this.retry);
    if (!this.deps.log.isReconciled || this.unanchored() === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const anchored = await Promise.race([this.anchorNow(), timeout]);
    clearTimeout(timer);
    if (!anchored)
      this.logger?.warn(
        { readLog: this.deps.log.name, unanchored: this.unanchored() },
        'the auditor-read log was not fully anchored before shutdown',
      );
  }

  status(): ReadLogStatus {
    const { log } = this.deps;
    const anchoredSeq = Math.min(...[...this.channels.values()].map((state) => state.anchoredSeq));
    return {
      name: log.name,
      reconciled: log.isReconciled,
      lastSeq: log.position.seq,
      anchoredSeq,
      unanchoredEntries: this.unanchored(),
      anchorFailures: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      gaps: log.gaps,
    };
  }

  private async reconcileUntilDone(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.reconcile();
        this.lastError = undefined;
        return;
      } catch (error) {
        this.lastError = `cannot compare the log with its ledger anchor: ${messageOf(error)}`;
        this.logger?.warn({ readLog: this.deps.log.name, err: { message: messageOf(error) } }, this.lastError);
        await new Promise((resolve) => setTimeout(resolve, backoff(attempt, this.deps.config.intervalMs)).unref());
      }
    }
  }

  private unanchored(): number {
    const last = this.deps.log.position.seq;
    return Math.max(0, ...[...this.channels.values()].map((state) => last - state.anchoredSeq));
  }

  private note(entry: AuditorReadEntry): void {
    const channel = entry.event === 'gap' ? undefined : entry.resourceIds.channel;
    for (const [name, state] of this.channels) {
      if (name === channel) this.add(state, name, entry);
      else state.pendingFrom ??= entry.time;
    }
    if (this.deps.log.isReconciled && this.unanchored() >= this.deps.config.everyEntries) this.trigger();
  }

  private add(state: ChannelState, channel: string, entry: AuditorReadEntry): void {
    state.pendingFrom ??= entry.time;
    if (entry.event === 'gap' || entry.resourceIds.channel !== channel) return;
    for (const [owner, count] of Object.entries(entry.readsByOwner))
      state.pending.set(owner, (state.pending.get(owner) ?? 0) + count);
  }

  /** Starts a run, or has the current one followed by another (entries may have come in meanwhile). */
  private trigger(): void {
    if (this.busy) this.again = true;
    else void this.anchorNow();
  }

  private async anchorOnce(): Promise<boolean> {
    this.busy = true;
    try {
      const head = this.deps.log.position;
      let allAnchored = true;
      for (const [channel, state] of this.channels) {
        if (head.seq === 0 || state.anchoredSeq >= head.seq) continue;
        if (!(await this.anchorChannel(channel, state, head))) allAnchored = false;
      }
      if (allAnchored) {
        this.failuresInARow = 0;
        this.lastError = undefined;
      } else this.scheduleRetry();
      return allAnchored;
    } finally {
      this.busy = false;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.anchorNow();
      }
    }
  }

  private async anchorChannel(
    channel: string,
    state: ChannelState,
    head: { seq: number; mac: string; time: string | undefined },
  ): Promise<boolean> {
    const to = head.time ?? new Date().toISOString();
    const from = state.pendingFrom === undefined || state.pendingFrom > to ? to : state.pendingFrom;
    const counted = state.pending;
    // Entries written while this anchor is on its way count towards the next one.
    state.pending = new Map();
    state.pendingFrom = undefined;
    const anchor: ReadAnchor = {
      log: this.deps.log.name,
      seq: head.seq,
      head: head.mac,
      // The chaincode refuses an anchor that does not follow the channel's latest one.
      ...(state.anchoredHead === undefined ? {} : { previousHead: state.anchoredHead }),
      window: { from, to },
      readsByOwner: Object.fromEntries([...counted.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    };
    try {
      await this.deps.ledger.submit(channel, TRANSACTIONS.anchorReads, [JSON.stringify(anchor)]);
    } catch (error) {
      if (!(await this.anchoredAlready(channel, anchor, error))) {
        for (const [owner, count] of counted) state.pending.set(owner, (state.pending.get(owner) ?? 0) + count);
        state.pendingFrom = from;
        this.failures += 1;
        this.failuresInARow += 1;
        this.lastError = `anchoring seq ${anchor.seq} on ${channel} failed: ${messageOf(error)}`;
        this.metrics?.anchorFailures.inc({ channel });
        this.logger?.warn(
          { readLog: anchor.log, channel, seq: anchor.seq, err: { message: messageOf(error) } },
          'anchoring the auditor-read log failed; will retry',
        );
        return false;
      }
    }
    state.anchoredSeq = Math.max(state.anchoredSeq, anchor.seq);
    state.anchoredHead = anchor.head;
    this.metrics?.anchors.inc({ channel });
    return true;
  }

  /** A refused anchor may be one an earlier, timed-out attempt committed: then it is done. */
  private async anchoredAlready(channel: string, anchor: ReadAnchor, error: unknown): Promise<boolean> {
    if (!(error instanceof LedgerError) || error.kind !== 'conflict') return false;
    const latest = await latestReadAnchor(this.deps.ledger, channel, this.deps.mspId, anchor.log).catch(
      () => undefined,
    );
    return (
      latest !== undefined &&
      latest.seq === anchor.seq &&
      latest.head === anchor.head &&
      latest.previousHead === anchor.previousHead
    );
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.trigger(), backoff(this.failuresInARow - 1, this.deps.config.intervalMs));
    this.retry.unref();
  }
}

function backoff(attempt: number, capMs: number): number {
  return Math.min(capMs, MIN_RETRY_MS * 2 ** Math.min(attempt, 16));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

interface ReadLogMetrics {
  readonly anchors: Counter<'channel'>;
  readonly anchorFailures: Counter<'channel'>;
  readonly gaps: Counter;
}

/** The log's metrics, in the app's registry; the gauges read the anchorer's status when scraped. */
function readLogMetrics(registry: Registry, status: () => ReadLogStatus): ReadLogMetrics {
  new Gauge({
    name: 'aal_read_log_unanchored_entries',
    help: 'Auditor-read log entries not yet anchored on the ledger (on the channel furthest behind)',
    registers: [registry],
    collect() {
      this.set(status().unanchoredEntries);
    },
  });
  new Gauge({
    name: 'aal_read_log_reconciled',
    help: '1 once the auditor-read log has been compared with its ledger anchor and takes entries, else 0',
    registers: [registry],
    collect() {
      this.set(status().reconciled ? 1 : 0);
    },
  });
  return {
    anchors: new Counter({
      name: 'aal_read_log_anchors_total',
      help: 'Anchors of the auditor-read log committed, by channel',
      labelNames: ['channel'],
      registers: [registry],
    }),
    anchorFailures: new Counter({
      name: 'aal_read_log_anchor_failures_total',
      help: 'Failed attempts to anchor the auditor-read log, by channel (each is retried)',
      labelNames: ['channel'],
      registers: [registry],
    }),
    gaps: new Counter({
      name: 'aal_read_log_gaps_total',
      help: 'Gaps found at start-up: anchored entries the auditor-read log no longer held',
      registers: [registry],
    }),
  };
}
