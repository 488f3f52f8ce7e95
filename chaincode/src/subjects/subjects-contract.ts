import {
  CONTRACTS,
  ContractError,
  TRANSACTIONS,
  checkInput,
  orgKeysTransientSchema,
  sortedKeyJson,
  subjectErasedRefusal,
  subjectLookupTransientSchema,
  subjectRegistrationTransientSchema,
  type ErasureReceipt,
} from '@aal/ledger-contract';
import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { type Caller, requireTransactionRole } from '../access/caller';
import { LedgerContract } from '../ledger/ledger-contract';
import { emitEvent } from '../ledger/events';
import { txTime } from '../ledger/tx-time';
import { readReceipt, verifyErased, writeReceipt } from './erasure-receipt';
import { identifierLookupKey } from './identifier-lookup';
import { readOrgKeys, requireOrgKeys, writeOrgKeys } from './org-keys';
import { ownCollection, requireOwnOrgPeer } from './own-org';
import { requireRegistrableSubjectRef, requireSubjectOwner } from './subject-ownership';
import {
  eraseSubject,
  readLookup,
  readSubject,
  readTombstone,
  rewriteLookup,
  rewriteTombstone,
  writeSubject,
} from './subject-registry';
import { readTransient, refuseTransient } from './transient-input';
import { PLAIN_ARGUMENTS } from '../validation/plain-arguments';

/**
 * Pseudonymous subjects, their keys, and erasure. Everything secret lives in the caller's own
 * implicit collection and arrives in the transient map; those transactions run on the org's own
 * peers only and return no secret from a submit (submit results are stored in blocks). Only the
 * erasure receipt is shared state.
 */
@Info({
  title: 'SubjectsContract',
  description: "Subject pseudonyms, subject keys and erasure in the caller's implicit private collection",
})
export class SubjectsContract extends LedgerContract {
  constructor() {
    super(CONTRACTS.subjects);
  }

  /** Stores the org's content key and lookup pepper once; later calls keep the existing keys. */
  @Transaction()
  @Returns('string')
  async InitOrgKeys(ctx: Context): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.initOrgKeys);
    const collection = this.ownPrivateCollection(ctx, caller);
    const input = readTransient(ctx, orgKeysTransientSchema);
    // Existing keys win: replacing the pepper would orphan every mapping, the content key every commitment.
    const existing = await readOrgKeys(ctx, collection);
    // A repeat rewrites the same bytes: a submit with no write in the collection would be judged by
    // the chaincode's MAJORITY policy instead of the org's own, and fail as ENDORSEMENT_POLICY_FAILURE.
    await writeOrgKeys(
      ctx,
      collection,
      existing ?? { ...input, initialisedAt: txTime(ctx), initialisedBy: caller.enrollmentId },
    );
    return sortedKeyJson({ created: existing === undefined, initialised: true });
  }

  @Transaction(false)
  @Returns('string')
  async GetOrgContentKey(ctx: Context): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.getOrgContentKey);
    const collection = this.ownPrivateCollection(ctx, caller);
    const keys = await requireOrgKeys(ctx, collection, caller.mspId);
    return sortedKeyJson({ contentKey: keys.contentKey });
  }

  /**
   * Maps an identifier to a pseudonym and key from the application; an existing mapping wins. The
   * pseudonym must be in the caller's namespace (`<MSP id>:…`): that makes the org its owner.
   */
  @Transaction()
  @Returns('string')
  async RegisterSubject(ctx: Context): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.registerSubject);
    const collection = this.ownPrivateCollection(ctx, caller);
    const input = readTransient(ctx, subjectRegistrationTransientSchema);
    requireRegistrableSubjectRef(caller.mspId, input.subjectRef);
    const keys = await requireOrgKeys(ctx, collection, caller.mspId);
    const lookupKey = identifierLookupKey(keys.lookupPepper, input.identifier);
    const existing = await readLookup(ctx, collection, lookupKey);
    if (existing !== undefined) {
      // Rewritten unchanged so the own-org collection policy (not MAJORITY) judges the repeat; see InitOrgKeys.
      await rewriteLookup(ctx, collection, lookupKey, existing);
      return sortedKeyJson({ created: false, subjectRef: existing.subjectRef });
    }

    if ((await readSubject(ctx, collection, input.subjectRef)) !== undefined) {
      throw new ContractError({
        code: 'CONFLICT',
        message: `subjectRef ${input.subjectRef} already exists with different content (another identifier): generate a new one`,
      });
    }
    if ((await readTombstone(ctx, collection, input.subjectRef)) !== undefined) {
      throw new ContractError({
        code: 'CONFLICT',
        message: `subjectRef ${input.subjectRef} was erased and cannot be reused`,
      });
    }
    await writeSubject(ctx, collection, {
      subjectRef: input.subjectRef,
      subjectKey: input.subjectKey,
      lookupKey,
      registeredAt: txTime(ctx),
      registeredBy: caller.enrollmentId,
    });
    return sortedKeyJson({ created: true, subjectRef: input.subjectRef });
  }

  @Transaction(false)
  @Returns('string')
  async LookupSubject(ctx: Context): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.lookupSubject);
    const collection = this.ownPrivateCollection(ctx, caller);
    const { identifier } = readTransient(ctx, subjectLookupTransientSchema);
    const keys = await requireOrgKeys(ctx, collection, caller.mspId);
    const lookup = await readLookup(ctx, collection, identifierLookupKey(keys.lookupPepper, identifier));
    // Never echo the identifier: error messages end up in logs.
    if (lookup === undefined)
      throw new ContractError({
        code: 'NOT_FOUND',
        message: `no subject of ${caller.mspId} is registered for this identifier`,
      });
    return sortedKeyJson({ subjectRef: lookup.subjectRef });
  }

  @Transaction(false)
  @Param('subjectRef', 'string', 'the subject pseudonym')
  @Returns('string')
  async GetSubjectKey(ctx: Context, subjectRef: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.getSubjectKey);
    const collection = this.ownPrivateCollection(ctx, caller);
    checkInput(PLAIN_ARGUMENTS.recordId, subjectRef, 'subjectRef');
    const subject = await readSubject(ctx, collection, subjectRef);
    if (subject === undefined) {
      const receipt = await readReceipt(ctx, subjectRef);
      const erased = (await readTombstone(ctx, collection, subjectRef)) !== undefined || receipt?.org === caller.mspId;
      throw new ContractError(
        erased
          ? subjectErasedRefusal(subjectRef)
          : { code: 'NOT_FOUND', message: `subject ${subjectRef} does not exist` },
      );
    }
    return sortedKeyJson({ subjectKey: subject.subjectKey });
  }

  /** Crypto-shreds a subject: purges mapping and key from the org's collection. Writes nothing shared. */
  @Transaction()
  @Param('subjectRef', 'string', 'the subject pseudonym')
  @Returns('string')
  async EraseSubject(ctx: Context, subjectRef: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.eraseSubject);
    const collection = this.ownPrivateCollection(ctx, caller);
    refuseTransient(ctx, 'EraseSubject takes no transient data');
    checkInput(PLAIN_ARGUMENTS.recordId, subjectRef, 'subjectRef');
    const subject = await readSubject(ctx, collection, subjectRef);
    if (subject === undefined) {
      // A retry after the purge committed: already done.
      const tombstone = await readTombstone(ctx, collection, subjectRef);
      if (tombstone !== undefined) {
        // Rewritten unchanged so the own-org collection policy (not MAJORITY) judges the retry; see InitOrgKeys.
        await rewriteTombstone(ctx, collection, tombstone);
        return sortedKeyJson({ purged: true, subjectRef });
      }
      throw new ContractError({ code: 'NOT_FOUND', message: `subject ${subjectRef} does not exist` });
    }
    await eraseSubject(ctx, collection, subject, { subjectRef, erasedAt: txTime(ctx), erasedBy: caller.enrollmentId });
    return sortedKeyJson({ purged: true, subjectRef });
  }

  /**
   * Writes the public erasure receipt after every endorsing peer has checked that the caller's org
   * owns the subject and, from private-data hashes, that the org's subject key is gone. Endorsed by
   * a majority; carries no transient data. From then on the subject's data is not used: its
   * consents are `erased`, and new records naming it are refused.
   */
  @Transaction()
  @Param('subjectRef', 'string', 'the erased subject pseudonym')
  @Returns('ErasureReceiptRecord')
  async RecordErasureReceipt(ctx: Context, subjectRef: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.recordErasureReceipt);
    refuseTransient(ctx);
    checkInput(PLAIN_ARGUMENTS.recordId, subjectRef, 'subjectRef');
    requireSubjectOwner(caller.mspId, subjectRef, 'record its erasure');
    const existing = await readReceipt(ctx, subjectRef);
    if (existing !== undefined) {
      if (existing.org !== caller.mspId) {
        throw new ContractError({
          code: 'CONFLICT',
          message: `erasure receipt for ${subjectRef} already exists with different content (recorded by ${existing.org})`,
        });
      }
      return sortedKeyJson(existing);
    }
    await verifyErased(ctx, ownCollection(caller), caller.mspId, subjectRef);
    const receipt: ErasureReceipt = {
      subjectRef,
      org: caller.mspId,
      erasedAt: txTime(ctx),
      erasedBy: caller.enrollmentId,
      txId: ctx.stub.getTxID(),
    };
    const json = await writeReceipt(ctx, receipt);
    emitEvent(ctx, 'SubjectErased', receipt);
    return json;
  }

  @Transaction(false)
  @Param('subjectRef', 'string', 'the erased subject pseudonym')
  @Returns('ErasureReceiptRecord')
  async GetErasureReceipt(ctx: Context, subjectRef: string): Promise<string> {
    requireTransactionRole(ctx, TRANSACTIONS.getErasureReceipt);
    checkInput(PLAIN_ARGUMENTS.recordId, subjectRef, 'subjectRef');
    const receipt = await readReceipt(ctx, subjectRef);
    if (receipt === undefined)
      throw new ContractError({ code: 'NOT_FOUND', message: `erasure receipt for ${subjectRef} does not exist` });
    return sortedKeyJson(receipt);
  }

  private ownPrivateCollection(ctx: Context, caller: Caller): string {
    requireOwnOrgPeer(ctx, caller);
    return ownCollection(caller);
  }
}
