import { TRANSACTIONS, type ErasureReceipt } from '@aal/ledger-contract';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Submitted } from '../ledger/ledger-answers';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import { randomKeyHex, type OrgKeys } from './org-keys';

/**
 * A fresh pseudonym: the org's MSP id, `:sub_` and 16 random bytes (128 bits) as hex. Random, so it
 * says nothing about the person; namespaced, because the chaincode lets an org grant consents only
 * about subject references in its own namespace.
 */
export function newSubjectRef(mspId: string): string {
  return `${mspId}:sub_${randomBytes(16).toString('hex')}`;
}

/** The public receipt of an erasure, as the chaincode stores it. */
/** How often and how patiently an erasure waits for other orgs' peers to see the purge before the receipt. */
export interface ReceiptRetry {
  readonly attempts: number;
  readonly delayMs: number;
}

const DEFAULT_RECEIPT_RETRY: ReceiptRetry = { attempts: 6, delayMs: 500 };

/**
 * The org's identifier ↔ subject mapping (`Subjects` contract, private to the org): identifiers and
 * keys travel only in the transient map to the org's own peers, never as arguments, never in a URL.
 */
export class SubjectRegistry {
  constructor(
    private readonly orgKeys: OrgKeys,
    private readonly mspId: string,
    private readonly receiptRetry: ReceiptRetry = DEFAULT_RECEIPT_RETRY,
  ) {}

  /**
   * Maps `identifier` to a new random `subjectRef` and subject key, or answers the existing mapping
   * (`created: false`): the chaincode keeps the first registration, so a repeat is harmless.
   */
  async register(
    ledger: LedgerClient,
    channel: string,
    identifier: string,
  ): Promise<{ subjectRef: string; created: boolean }> {
    await this.orgKeys.ensure(channel);
    const submitted = await ledger.submit(channel, TRANSACTIONS.registerSubject, [], {
      // Safe to repeat: the same identifier maps to the first subjectRef whatever is sent again.
      idempotent: true,
      transient: { identifier, subjectRef: newSubjectRef(this.mspId), subjectKey: randomKeyHex() },
    });
    return JSON.parse(submitted.result) as { subjectRef: string; created: boolean };
  }

  /** The `subjectRef` registered for `identifier`; `LedgerError` `not-found` when there is none. */
  async lookup(ledger: LedgerClient, channel: string, identifier: string): Promise<string> {
    const answer = JSON.parse(
      await ledger.evaluate(channel, TRANSACTIONS.lookupSubject, [], { transient: { identifier } }),
    ) as { subjectRef: string };
    return answer.subjectRef;
  }

  /**
   * Erases a subject (purges its mapping and key on the org's peers), then records the public receipt.
   * The receipt's endorsers check that the key's hash is gone from their own copy of the hashed state,
   * which they see only once the purge has committed there too: a `PRECONDITION_FAILED` is retried.
   */
  async erase(ledger: LedgerClient, channel: string, subjectRef: string): Promise<Submitted<ErasureReceipt>> {
    await ledger.submit(channel, TRANSACTIONS.eraseSubject, [subjectRef], { idempotent: true });
    for (let attempt = 1; ; attempt++) {
      try {
        const submitted = await ledger.submit(channel, TRANSACTIONS.recordErasureReceipt, [subjectRef], {
          idempotent: true,
        });
        return {
          record: JSON.parse(submitted.result) as ErasureReceipt,
          transactionId: submitted.transactionId,
          blockNumber: submitted.blockNumber,
        };
      } catch (error) {
        const notYet =
          error instanceof LedgerError && error.kind === 'precondition-failed' && attempt < this.receiptRetry.attempts;
        if (!notYet) throw error;
        await sleep(this.receiptRetry.delayMs);
      }
    }
  }

  /** The erasure receipt of `subjectRef`; `LedgerError` `not-found` when it was not erased. */
  async receipt(ledger: LedgerClient, channel: string, subjectRef: string): Promise<ErasureReceipt> {
    return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getErasureReceipt, [subjectRef])) as ErasureReceipt;
  }
}
