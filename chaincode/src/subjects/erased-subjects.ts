import { ContractError, type ErasureReceipt, type RefusalReason } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { readConsent } from '../consents/consent-store';
import { stateBatchOf } from '../ledger/peer-state-batch';
import { receiptKey } from './erasure-receipt';
import { subjectErasedReason } from './subject-ownership';

/**
 * The erasure receipts of these subjects that exist, by subjectRef, read in one message to the
 * peer. The reads are in the transaction's read set, so a receipt committed after endorsement
 * invalidates the transaction (MVCC) instead of letting it use an erased subject.
 */
export async function erasureReceiptsOf(
  ctx: Context,
  subjectRefs: Iterable<string>,
): Promise<Map<string, ErasureReceipt>> {
  const unique = [...new Set(subjectRefs)].sort();
  if (unique.length === 0) return new Map();
  const values = await stateBatchOf(ctx).getStates(unique.map((subjectRef) => receiptKey(ctx, subjectRef)));
  const receipts = new Map<string, ErasureReceipt>();
  values.forEach((value, index) => {
    const subjectRef = unique[index];
    if (subjectRef !== undefined && value.length > 0)
      receipts.set(subjectRef, JSON.parse(Buffer.from(value).toString('utf8')) as ErasureReceipt);
  });
  return receipts;
}

/**
 * Refuses new records that name an erased subject (`PRECONDITION_FAILED`, one reason per record,
 * at `path` such as `[3].subjectRef`): once the receipt exists the subject's data is not used again.
 * A record that names only a consent is judged by that consent's subject, so leaving `subjectRef`
 * out does not get an erased subject's data past this check.
 */
export async function refuseErasedSubjects(
  ctx: Context,
  records: readonly {
    readonly subjectRef?: string | undefined;
    readonly consentId?: string | undefined;
    readonly path: string;
  }[],
): Promise<void> {
  const named: { subjectRef: string; path: string }[] = [];
  for (const record of records) {
    const subjectRef =
      record.subjectRef ??
      (record.consentId === undefined ? undefined : (await readConsent(ctx, record.consentId))?.subjectRef);
    if (subjectRef !== undefined) named.push({ subjectRef, path: record.path });
  }
  if (named.length === 0) return;
  const receipts = await erasureReceiptsOf(
    ctx,
    named.map((record) => record.subjectRef),
  );
  const reasons: RefusalReason[] = named.flatMap((record) => {
    const receipt = receipts.get(record.subjectRef);
    return receipt === undefined ? [] : [{ path: record.path, reason: subjectErasedReason(receipt) }];
  });
  if (reasons.length === 0) return;
  throw new ContractError({
    code: 'PRECONDITION_FAILED',
    message: `records name erased subjects, whose data may no longer be used: ${reasons.map((entry) => `${entry.path}: ${entry.reason}`).join('; ')}`,
    reasons,
  });
}
