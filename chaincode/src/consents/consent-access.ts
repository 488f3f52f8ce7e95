import { orgNamespaceOf, type StoredConsent } from '@aal/ledger-contract';
import { readsEverything, type Caller } from '../access/caller';

/** Who may read a consent: auditors, the controller org and every org the consent names as grantee. */
export function mayReadConsent(caller: Caller, consent: StoredConsent): boolean {
  return (
    readsEverything(caller) ||
    caller.mspId === consent.controller ||
    // A grantee is an org (its MSP id) or one of its applications (`<MSP id>:<applicationId>`).
    consent.grantees.some((grantee) => (orgNamespaceOf(grantee) ?? grantee) === caller.mspId)
  );
}
