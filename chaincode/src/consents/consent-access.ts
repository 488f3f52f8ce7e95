import type { Caller } from '../access/caller';
import { readsEverything } from '../access/caller';
import type { StoredConsent } from './consent-schema';

/** Who may read a consent: auditors, the controller org and every org the consent names as grantee. */
export function mayReadConsent(caller: Caller, consent: StoredConsent): boolean {
  return readsEverything(caller) || caller.mspId === consent.controller || consent.grantees.includes(caller.mspId);
}
