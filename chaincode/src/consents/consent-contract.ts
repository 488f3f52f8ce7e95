import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { ROLES, requireRole, type Caller } from '../access/caller';
import { canonicalJson } from '../canonical-json';
import { ContractError } from '../errors';
import { emitEvent } from '../ledger/events';
import { txTime } from '../ledger/tx-time';
import { parseJsonArgument } from '../validation/json-argument';
import { check, dateTime, id as idRule, label } from '../validation/rules';
import { mayReadConsent } from './consent-access';
import { evaluateConsent } from './consent-check';
import { queryConsents } from './consent-query';
import { CONSENT_INPUT_FIELDS, MAX_CONSENT_BYTES, checkConsentInput, revocationReason, type ConsentInput, type StoredConsent } from './consent-schema';
import { consentStatusAt } from './consent-status';
import { consentKey, readConsent, writeConsent } from './consent-store';
import { toFhirConsent } from './fhir-consent';
import { requireSubjectRegisteredBy } from './subject-registration';

const MAX_FILTER_BYTES = 4096;

/**
 * Patient consent for AI use of their data, aligned with HL7 FHIR R5 Consent. The controller org's
 * consent-manager grants and revokes; the record is never edited otherwise, so the key's history is
 * the consent's audit trail. Status is derived from period and revocation at the time asked.
 */
@Info({ title: 'Consents', description: 'Grant, revoke, query, check and export (FHIR R5) data-subject consents' })
export class ConsentContract extends Contract {
  constructor() {
    super('Consents');
  }

  /** Grants a consent; the caller's org becomes its controller. Idempotent by id. */
  @Transaction()
  @Param('consent', 'string', 'consent JSON: id, subjectRef, grantees, decision, purposes, dataCategories?, period, policyCommitment, jurisdiction?, collectionMethod?')
  @Returns('ConsentRecord')
  async GrantConsent(ctx: Context, consent: string): Promise<string> {
    const caller = requireRole(ctx, 'consent-manager');
    const input = checkConsentInput(parseJsonArgument('consent', consent, MAX_CONSENT_BYTES));
    const existing = await readConsent(ctx, input.id);
    if (existing !== undefined) {
      if (existing.controller === caller.mspId && sameInput(existing, input)) return canonicalJson(existing);
      throw new ContractError('CONFLICT', `consent ${input.id} already exists with different content`);
    }
    await requireSubjectRegisteredBy(ctx, caller.mspId, input.subjectRef);
    const stored: StoredConsent = {
      ...input,
      controller: caller.mspId,
      grantedBy: caller.enrollmentId,
      grantedAt: txTime(ctx),
      txId: ctx.stub.getTxID(),
    };
    await writeConsent(ctx, stored, { withIndexes: true });
    emitEvent(ctx, 'ConsentGranted', { id: stored.id, controller: stored.controller, decision: stored.decision, txTime: stored.grantedAt });
    return canonicalJson(stored);
  }

  /** Revokes a consent from this transaction's time on; only the controller org's consent-manager may. */
  @Transaction()
  @Param('id', 'string', 'consent id')
  @Param('reason', 'string', `why (at most 256 characters, no personal data)`)
  @Returns('ConsentRecord')
  async RevokeConsent(ctx: Context, id: string, reason: string): Promise<string> {
    const caller = requireRole(ctx, 'consent-manager');
    check(idRule(), id, 'id');
    check(revocationReason, reason, 'reason');
    const consent = await this.readable(ctx, caller, id);
    if (consent.controller !== caller.mspId) {
      throw new ContractError('ACCESS_DENIED', `access denied: only the controller ${consent.controller} may revoke consent ${id}`);
    }
    if (consent.revokedAt !== undefined) {
      if (consent.revocationReason === reason) return canonicalJson(consent);
      throw new ContractError('CONFLICT', `consent ${id} is already revoked`);
    }
    const revoked: StoredConsent = {
      ...consent,
      revokedAt: txTime(ctx),
      revokedBy: caller.enrollmentId,
      revocationReason: reason,
      revocationTxId: ctx.stub.getTxID(),
    };
    await writeConsent(ctx, revoked, { withIndexes: false });
    emitEvent(ctx, 'ConsentRevoked', { id, controller: consent.controller, txTime: revoked.revokedAt });
    return canonicalJson(revoked);
  }

  /** A consent with its status at this transaction's time. */
  @Transaction(false)
  @Param('id', 'string', 'consent id')
  @Returns('ConsentRecord')
  async GetConsent(ctx: Context, id: string): Promise<string> {
    const consent = await this.readable(ctx, requireRole(ctx, ...ROLES), id);
    return canonicalJson({ ...consent, status: consentStatusAt(consent, txTime(ctx)) });
  }

  /** Every committed version of a consent, newest first, with the transaction that wrote it. */
  @Transaction(false)
  @Param('id', 'string', 'consent id')
  @Returns('string')
  async GetConsentHistory(ctx: Context, id: string): Promise<string> {
    await this.readable(ctx, requireRole(ctx, ...ROLES), id);
    const records: { txId: string; txTime: string; isDelete: boolean; consent?: StoredConsent }[] = [];
    const iterator = await ctx.stub.getHistoryForKey(consentKey(ctx, id));
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const { txId, timestamp, isDelete, value } = next.value;
        const millis = Number(timestamp.seconds.toString()) * 1000 + Math.floor(timestamp.nanos / 1_000_000);
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
    return canonicalJson({ records });
  }

  /** A page of the consents the caller may read, by subject, grantee or purpose, optionally by status. */
  @Transaction(false)
  @Param('filter', 'string', 'filter JSON: { by: subjectRef|grantee|purpose, value, status?, pageSize?, bookmark? }')
  @Returns('string')
  async QueryConsents(ctx: Context, filter: string): Promise<string> {
    const caller = requireRole(ctx, ...ROLES);
    const page = await queryConsents(ctx, caller, parseJsonArgument('filter', filter, MAX_FILTER_BYTES), txTime(ctx));
    return canonicalJson(page);
  }

  /** May `grantee` use the subject's data for `purpose` at `at` (default: now)? A matching deny wins. */
  @Transaction(false)
  @Param('subjectRef', 'string', 'pseudonymous subject reference')
  @Param('purpose', 'string', 'purpose, e.g. ai-inference')
  @Param('grantee', 'string', 'MSP id or application id')
  @Param('at', 'string', 'RFC 3339 time to judge at; empty for the transaction time')
  @Returns('string')
  async CheckConsent(ctx: Context, subjectRef: string, purpose: string, grantee: string, at: string): Promise<string> {
    requireRole(ctx, ...ROLES);
    check(idRule(), subjectRef, 'subjectRef');
    check(label(64), purpose, 'purpose');
    check(idRule(), grantee, 'grantee');
    const moment = at === '' ? txTime(ctx) : check(dateTime(), at, 'at');
    return canonicalJson(await evaluateConsent(ctx, { subjectRef, purpose, grantee, at: moment }));
  }

  /** The consent as an HL7 FHIR R5 Consent resource (JSON), status derived at this transaction's time. */
  @Transaction(false)
  @Param('id', 'string', 'consent id')
  @Returns('string')
  async ExportConsentFHIR(ctx: Context, id: string): Promise<string> {
    const consent = await this.readable(ctx, requireRole(ctx, ...ROLES), id);
    return canonicalJson(toFhirConsent(consent, consentStatusAt(consent, txTime(ctx))));
  }

  private async readable(ctx: Context, caller: Caller, id: string): Promise<StoredConsent> {
    check(idRule(), id, 'id');
    const consent = await readConsent(ctx, id);
    if (consent === undefined) throw new ContractError('NOT_FOUND', `consent ${id} does not exist`);
    if (!mayReadConsent(caller, consent)) throw new ContractError('ACCESS_DENIED', `access denied: ${caller.mspId} is neither controller nor grantee of consent ${id}`);
    return consent;
  }
}

function sameInput(stored: StoredConsent, input: ConsentInput): boolean {
  const submitted = Object.fromEntries(CONSENT_INPUT_FIELDS.map((field) => [field, stored[field]]));
  return canonicalJson(submitted) === canonicalJson(input);
}
