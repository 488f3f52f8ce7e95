import { ContractError, orgNamespaceOf, type StoredConsent } from '@aal/ledger-contract';
import { readsEverything, type Caller } from '../access/caller';

/** Who may read a consent: auditors, the controller org and every org the consent names as grantee. */
export function mayReadConsent(caller: Caller, consent: StoredConsent): boolean {
  return (
    readsEverything(caller) ||
    caller.mspId === consent.controller ||
    // A grantee is an org (its MSP id) or one of its applications (`<MSP id>:<applicationId>`).
    consent.grantees.some((grantee) => ownerOfGrantee(grantee) === caller.mspId)
  );
}

/**
 * Who may ask `CheckConsent` about `subjectRef` for `grantee`: the auditors of the configured
 * auditor orgs, the org that owns the subject (its namespace; it controls every consent about it),
 * and an org asking about itself or one of its own applications (`<callerMSP>` or
 * `<callerMSP>:<app>`) — a member may ask "may I use this subject?", never "may org X?". The rule
 * depends only on who asks and what, never on the ledger, so a refusal says nothing about the
 * subject; and every caller it admits may read every consent that could decide the answer.
 */
export function mayAskAboutConsent(caller: Caller, subjectRef: string, grantee: string): boolean {
  return (
    readsEverything(caller) || orgNamespaceOf(subjectRef) === caller.mspId || ownerOfGrantee(grantee) === caller.mspId
  );
}

/**
 * Refuses a `CheckConsent` question the caller may not ask ({@link mayAskAboutConsent}), with a
 * message that names neither the subject nor anything the ledger holds about it.
 */
export function requireMayAskAboutConsent(caller: Caller, subjectRef: string, grantee: string): void {
  if (mayAskAboutConsent(caller, subjectRef, grantee)) return;
  throw new ContractError({
    code: 'ACCESS_DENIED',
    message: `access denied: ${caller.mspId} may check consent only about its own subjects or for itself (${caller.mspId} or ${caller.mspId}:<applicationId>)`,
  });
}

/** The org a grantee name belongs to: an MSP id is its own org; `<MSP id>:<applicationId>` that MSP's. */
function ownerOfGrantee(grantee: string): string {
  return orgNamespaceOf(grantee) ?? grantee;
}
