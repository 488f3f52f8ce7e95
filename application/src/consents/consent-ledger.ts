import {
  TRANSACTIONS,
  type ConsentFilter,
  type ConsentInput,
  type ConsentStatus,
  type StoredConsent,
} from '@aal/ledger-contract';
import type { LedgerPage, Submitted } from '../ledger/ledger-answers';
import type { LedgerClient } from '../ledger/ledger-client';

/**
 * The Consents contract as the application calls it (docs/chaincode-api.md "Contract Consents"):
 * JSON in, JSON out, nothing about HTTP. Answers pass through as the chaincode wrote them.
 */

/** A consent as the chaincode answers it: the stored consent, with its status when read. */
export type ConsentRecord = StoredConsent & { readonly status?: ConsentStatus };

/** The ledger's verdict on a use of a subject's data. */
export interface ConsentCheck {
  readonly allowed: boolean;
  readonly consentId?: string;
  readonly reason: string;
}

/** Grants a consent (write-once by id, so the submit is safe to repeat). */
export async function grantConsent(
  ledger: LedgerClient,
  channel: string,
  consent: ConsentInput,
): Promise<Submitted<ConsentRecord>> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.grantConsent, [JSON.stringify(consent)], {
    idempotent: true,
  });
  return {
    record: JSON.parse(submitted.result) as ConsentRecord,
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

/** Revokes a consent (the same reason again answers the stored revocation, so it is safe to repeat). */
export async function revokeConsent(
  ledger: LedgerClient,
  channel: string,
  id: string,
  reason: string,
): Promise<Submitted<ConsentRecord>> {
  const submitted = await ledger.submit(channel, TRANSACTIONS.revokeConsent, [id, reason], { idempotent: true });
  return {
    record: JSON.parse(submitted.result) as ConsentRecord,
    transactionId: submitted.transactionId,
    blockNumber: submitted.blockNumber,
  };
}

/** Whether the subject's consents allow `purpose` for `grantee` at `at` (empty: the time of the query). */
export async function checkConsent(
  ledger: LedgerClient,
  channel: string,
  query: { subjectRef: string; purpose: string; grantee: string; at?: string | undefined },
): Promise<ConsentCheck> {
  return JSON.parse(
    await ledger.evaluate(channel, TRANSACTIONS.checkConsent, [
      query.subjectRef,
      query.purpose,
      query.grantee,
      query.at ?? '',
    ]),
  ) as ConsentCheck;
}

export async function queryConsents(
  ledger: LedgerClient,
  channel: string,
  filter: ConsentFilter,
): Promise<LedgerPage<ConsentRecord>> {
  return JSON.parse(
    await ledger.evaluate(channel, TRANSACTIONS.queryConsents, [JSON.stringify(filter)]),
  ) as LedgerPage<ConsentRecord>;
}

export async function getConsent(ledger: LedgerClient, channel: string, id: string): Promise<ConsentRecord> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getConsent, [id])) as ConsentRecord;
}

/** Every version the ledger holds, newest first. */
export async function getConsentHistory(
  ledger: LedgerClient,
  channel: string,
  id: string,
): Promise<{ records: readonly unknown[] }> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getConsentHistory, [id])) as {
    records: readonly unknown[];
  };
}

/** The consent as an HL7 FHIR R5 Consent resource. */
export async function exportConsentFhir(ledger: LedgerClient, channel: string, id: string): Promise<unknown> {
  return JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.exportConsentFhir, [id])) as unknown;
}
