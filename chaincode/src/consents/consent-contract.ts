import {
  CONSENT_INPUT_FIELDS,
  CONTRACTS,
  ContractError,
  LIMITS,
  REVOCATION_REASONS,
  TRANSACTIONS,
  checkInput,
  consentInputSchema,
  label,
  revocationReasonSchema,
  sortedKeyJson,
  type ConsentInput,
  type ConsentStatus,
  type StoredConsent,
} from '@aal/ledger-contract';
import { Context, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { type Caller, requireTransactionRole } from '../access/caller';
import { requireOwnRecordIds } from '../access/own-record-ids';
import { LedgerContract } from '../ledger/ledger-contract';
import { emitEvent } from '../ledger/events';
import { txTime, timestampMillis } from '../ledger/tx-time';
import { readReceipt } from '../subjects/erasure-receipt';
import { requireGrantableSubject } from '../subjects/subject-ownership';
import { parseJsonArgument } from '../validation/json-argument';
import { mayReadConsent } from './consent-access';
import { checkConsentFor } from './consent-check';
import { queryConsents } from './consent-query';
import { consentStatus } from './consent-status';
import { consentKey, readConsent, writeConsent } from './consent-store';
import { toFhirConsent } from './fhir-consent';
import { PLAIN_ARGUMENTS } from '../validation/plain-arguments';

/**
 * Patient consent for AI use of their data, aligned with HL7 FHIR R5 Consent. The controller org —
 * the org that owns the subject (its namespace) — grants and revokes through its consent-manager;
 * the record is never edited otherwise, so the key's history is the consent's audit trail. Status
 * is derived from grant, period, revocation and the subject's erasure (see consent-status.ts).
 */
@Info({ title: 'Consents', description: 'Grant, revoke, query, check and export (FHIR R5) data-subject consents' })
export class ConsentContract extends LedgerContract {
  constructor() {
    super(CONTRACTS.consents);
  }

  /** Grants a consent about a subject the caller's org owns and registered; the org becomes its controller. Idempotent by id. */
  @Transaction()
  @Param(
    'consent',
    'string',
    'consent JSON: id, subjectRef, grantees, decision, purposes, dataCategories?, period, policyCommitment, jurisdiction?, collectionMethod?',
  )
  @Returns('ConsentRecord')
  async GrantConsent(ctx: Context, consent: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.grantConsent);
    const input = checkInput(consentInputSchema, parseJsonArgument('consent', consent, LIMITS.consentBytes));
    requireOwnRecordIds(caller.mspId, 'consent', [{ id: input.id, path: 'id' }]);
    const existing = await readConsent(ctx, input.id);
    if (existing !== undefined) {
      if (existing.controller === caller.mspId && sameInput(existing, input)) return sortedKeyJson(existing);
      throw new ContractError({
        code: 'CONFLICT',
        message: `consent ${input.id} already exists with different content`,
      });
    }
    await requireGrantableSubject(ctx, caller.mspId, input.subjectRef);
    const stored: StoredConsent = {
      ...input,
      controller: caller.mspId,
      grantedBy: caller.enrollmentId,
      grantedAt: txTime(ctx),
      txId: ctx.stub.getTxID(),
    };
    await writeConsent(ctx, stored, { withIndexes: true });
    emitEvent(ctx, 'ConsentGranted', {
      id: stored.id,
      controller: stored.controller,
      decision: stored.decision,
      txTime: stored.grantedAt,
    });
    return sortedKeyJson(stored);
  }

  /** Revokes a consent from this transaction's time on; only the controller org's consent-manager may. */
  @Transaction()
  @Param('id', 'string', 'consent id')
  @Param('reason', 'string', `why, as a code: ${REVOCATION_REASONS.join(', ')}`)
  @Returns('ConsentRecord')
  async RevokeConsent(ctx: Context, id: string, reason: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.revokeConsent);
    checkInput(PLAIN_ARGUMENTS.recordId, id, 'id');
    const reasonCode = checkInput(revocationReasonSchema, reason, 'reason');
    const consent = await this.readable(ctx, caller, id);
    if (consent.controller !== caller.mspId) {
      throw new ContractError({
        code: 'ACCESS_DENIED',
        message: `access denied: only the controller ${consent.controller} may revoke consent ${id}`,
      });
    }
    if (consent.revokedAt !== undefined) {
      if (consent.revocationReason === reasonCode) return sortedKeyJson(consent);
      throw new ContractError({ code: 'CONFLICT', message: `consent ${id} is already revoked` });
    }
    const revoked: StoredConsent = {
      ...consent,
      revokedAt: txTime(ctx),
      revokedBy: caller.enrollmentId,
      revocationReason: reasonCode,
      revocationTxId: ctx.stub.getTxID(),
    };
    await writeConsent(ctx, revoked, { withIndexes: false });
    emitEvent(ctx, 'ConsentRevoked', { id, controller: consent.controller, txTime: revoked.revokedAt });
    return sortedKeyJson(revoked);
  }

  /** A consent with its status now: as the state says, the period judged at this transaction's time. */
  @Transaction(false)
  @Param('id', 'string', 'consent id')
  @Returns('ConsentRecord')
  async GetConsent(ctx: Context, id: string): Promise<string> {
    const consent = await this.readable(ctx, requireTransactionRole(ctx, TRANSACTIONS.getConsent), id);
    return sortedKeyJson({ ...consent, status: await statusNow(ctx, consent) });
  }

  /** Every committed version of a consent, newest first, with the transaction that wrote it. */
  @Transaction(false)
  @Param('id', 'string', 'consent id')
  @Returns('string')
  async GetConsentHistory(ctx: Context, id: string): Promise<string> {
    await this.readable(ctx, requireTransactionRole(ctx, TRANSACTIONS.getConsentHistory), id);
    const records: { txId: string; txTime: string; isDelete: boolean; consent?: StoredConsent }[] = [];
    const iterator = await ctx.stub.getHistoryForKey(consentKey(ctx, id));
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const { txId, timestamp, isDelete, value } = next.value;
        const millis = timestampMillis(timestamp);
        records.push({
          txId,
          txTime: new Date(millis).toISOString(),
          isDelete,
          ...(isDelete ? {} : { consent: JSON.parse(Buffer.from(value).toString('utf8')) as StoredConsent }),
        });
      }
    } finally {
      await iterator.close();
    }
    return sortedKeyJson({ records });
  }

  /** A page of the consents the caller may read, by subject, grantee or purpose, optionally by status. */
  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by: subjectRef|grantee|purpose, value, status?, pageSize?, bookmark? }')
  @Returns('string')
  async QueryConsents(ctx: Context, filter: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.queryConsents);
    const page = await queryConsents(ctx, caller, parseJsonArgument('filter', filter, LIMITS.filterBytes), {
      now: txTime(ctx),
    });
    return sortedKeyJson(page);
  }

  /**
   * May `grantee` use the subject's data for `purpose` at `at` (default: now)? A matching deny wins;
   * an application (`<MSP id>:<applicationId>`) is covered by its org's consents too; an erased
   * subject allows nothing. Only the configured auditors, the subject's owner org, and an org asking
   * for itself (`grantee` its MSP id or one of its applications) may ask; anyone else is refused
   * with ACCESS_DENIED whether the subject exists or not (see checkConsentFor).
   */
  @Transaction(false)
  @Param('subjectRef', 'string', 'pseudonymous subject reference')
  @Param('purpose', 'string', 'purpose, e.g. ai-inference')
  @Param('grantee', 'string', 'MSP id, or an application as <MSP id>:<applicationId>')
  @Param('at', 'string', 'RFC 3339 time to judge at; empty for the transaction time')
  @Returns('string')
  async CheckConsent(ctx: Context, subjectRef: string, purpose: string, grantee: string, at: string): Promise<string> {
    const caller = requireTransactionRole(ctx, TRANSACTIONS.checkConsent);
    checkInput(PLAIN_ARGUMENTS.recordId, subjectRef, 'subjectRef');
    checkInput(label(64), purpose, 'purpose');
    checkInput(PLAIN_ARGUMENTS.recordId, grantee, 'grantee');
    const moment = at === '' ? { now: txTime(ctx) } : { at: checkInput(PLAIN_ARGUMENTS.dateTime, at, 'at') };
    return sortedKeyJson(await checkConsentFor(ctx, caller, { subjectRef, purpose, grantee, moment }));
  }

  /** The consent as an HL7 FHIR R5 Consent resource (JSON), with its status now (as GetConsent). */
  @Transaction(false)
  @Param('id', 'string', 'consent id')
  @Returns('string')
  async ExportConsentFHIR(ctx: Context, id: string): Promise<string> {
    const consent = await this.readable(ctx, requireTransactionRole(ctx, TRANSACTIONS.exportConsentFhir), id);
    return sortedKeyJson(toFhirConsent(consent, await statusNow(ctx, consent)));
  }

  private async readable(ctx: Context, caller: Caller, id: string): Promise<StoredConsent> {
    checkInput(PLAIN_ARGUMENTS.recordId, id, 'id');
    const consent = await readConsent(ctx, id);
    if (consent === undefined) throw new ContractError({ code: 'NOT_FOUND', message: `consent ${id} does not exist` });
    if (!mayReadConsent(caller, consent)) {
      throw new ContractError({
        code: 'ACCESS_DENIED',
        message: `access denied: ${caller.mspId} is neither controller nor grantee of consent ${id}`,
      });
    }
    return consent;
  }
}

/** The consent's status at this transaction, from the state it read: `erased` once the subject's erasure receipt exists. */
async function statusNow(ctx: Context, consent: StoredConsent): Promise<ConsentStatus> {
  const erased = (await readReceipt(ctx, consent.subjectRef)) !== undefined;
  return consentStatus(consent, { now: txTime(ctx) }, erased);
}

function sameInput(stored: StoredConsent, input: ConsentInput): boolean {
  const submitted = Object.fromEntries(CONSENT_INPUT_FIELDS.map((field) => [field, stored[field]]));
  return sortedKeyJson(submitted) === sortedKeyJson(input);
}
