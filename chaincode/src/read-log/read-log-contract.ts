import {
  CONTRACTS,
  ContractError,
  LIMITS,
  TRANSACTIONS,
  ValidationError,
  checkInput,
  readAnchorFilterSchema,
  readAnchorSchema,
  sortedKeyJson,
  type ReadAnchor,
  type StoredReadAnchor,
} from '@aal/ledger-contract';
import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { requireTransactionRole } from '../access/caller';
import { LedgerContract } from '../ledger/ledger-contract';
import { txTime } from '../ledger/tx-time';
import { parseJsonArgument } from '../validation/json-argument';
import { queryAnchors, readLatestAnchor, writeAnchor } from './read-anchor-store';
import { PLAIN_ARGUMENTS } from '../validation/plain-arguments';

/**
 * Anchors of the orgs' auditor-read logs. Each org's REST app logs its auditors' reads in a file
 * chained with HMAC-SHA256 and anchors the chain's head here: which entry (`seq`, `head`), when,
 * and how many records of each data owner were read. The reader org is the certificate's; an
 * anchor is never changed, and a log's next anchor must name a later entry than its latest — so
 * an org cannot rewind its own log on the ledger to hide that entries were removed. Any member
 * reads the anchors from its own peer; a data owner queries those that count its records.
 */
@Info({ title: 'ReadLog', description: "Anchors of the orgs' auditor-read logs, readable by the data owners" })
export class ReadLogContract extends LedgerContract {
  constructor() {
    super(CONTRACTS.readLog);
  }

  /**
   * Anchors the caller's org's read log at an entry. Refused with CONFLICT unless `seq` is greater
   * than the log's latest anchored `seq` (an equal one included: anchors are write-once) and
   * `previousHead` is that latest anchor's `head` (absent for the log's first anchor), and with
   * INVALID_ARGUMENT when the window ends after this transaction's time.
   */
  @Transaction()
  @Param('anchor', 'string', 'anchor JSON: log, seq, head, window { from, to }, readsByOwner { <MSP id>: count }')
  @Returns('ReadAnchorRecord')
  async AnchorReads(ctx: Context, anchor: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.anchorReads);
    const input = checkInput(readAnchorSchema, parseJsonArgument('anchor', anchor, LIMITS.readAnchorBytes));
    const now = txTime(ctx);
    if (Date.parse(input.window.to) > Date.parse(now)) {
      throw new ValidationError([{ path: 'window.to', rule: 'must not be after the transaction time' }]);
    }
    const latest = await readLatestAnchor(ctx, caller.mspId, input.log);
    if (latest !== undefined && input.seq <= latest.seq) {
      throw new ContractError({
        code: 'CONFLICT',
        message: `read log ${input.log} of ${caller.mspId} is anchored at seq ${latest.seq} already: a new anchor must name a later entry (got seq ${input.seq})`,
      });
    }
    requireChained(caller.mspId, input, latest);
    const stored: StoredReadAnchor = {
      ...input,
      org: caller.mspId,
      anchoredBy: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
      txTime: now,
    };
    return writeAnchor(ctx, stored);
  }

  /** The latest anchor of an org's read log; NOT_FOUND when the log was never anchored. */
  @Transaction(false)
  @Param('org', 'string', 'reader org (MSP id)')
  @Param('log', 'string', "the read log's name")
  @Returns('ReadAnchorRecord')
  async GetLatestReadAnchor(ctx: Context, org: string, log: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.getLatestReadAnchor);
    const reader = checkInput(PLAIN_ARGUMENTS.orgMspId, org, 'org');
    const name = checkInput(PLAIN_ARGUMENTS.readLogName, log, 'log');
    const latest = await readLatestAnchor(ctx, reader, name);
    if (latest === undefined) {
      throw new ContractError({ code: 'NOT_FOUND', message: `read log ${name} of ${reader} has no anchor` });
    }
    return sortedKeyJson(latest);
  }

  /** A page of anchors: a reader org's (`by: org`, by log and seq) or those counting a data owner's records (`by: owner`, by time). */
  @Transaction(false)
  @Param(
    'filter',
    'string',
    'filter JSON: { by: org|owner, value: MSP id, from?, to? (owner only), pageSize?, bookmark? }',
  )
  @Returns('string')
  async QueryReadAnchors(ctx: Context, filter: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.queryReadAnchors);
    const checked = checkInput(readAnchorFilterSchema, parseJsonArgument('filter', filter, LIMITS.filterBytes));
    const page = await queryAnchors(ctx, checked);
    return sortedKeyJson({ records: page.records, bookmark: page.bookmark });
  }
}

/**
 * An anchor must follow its log's latest anchor: `previousHead` is that anchor's `head`, so the
 * anchors of a log form a chain; the first has none. An anchor stored before anchors were chained
 * has no `previousHead` and counts as a chain start — the next one still names its `head`.
 */
function requireChained(org: string, input: ReadAnchor, latest: StoredReadAnchor | undefined): void {
  if (latest === undefined && input.previousHead !== undefined) {
    throw new ContractError({
      code: 'CONFLICT',
      message: `read log ${input.log} of ${org} has no anchor yet: its first anchor names no previousHead`,
    });
  }
  if (latest !== undefined && input.previousHead !== latest.head) {
    throw new ContractError({
      code: 'CONFLICT',
      message: `read log ${input.log} of ${org} is anchored at seq ${latest.seq} with head ${latest.head}: a new anchor must name that head as previousHead (got ${input.previousHead ?? 'none'})`,
    });
  }
}
