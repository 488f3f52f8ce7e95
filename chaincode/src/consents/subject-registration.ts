import type { Context } from 'fabric-contract-api';
import { ContractError } from '../errors';
import { subjectEntryKey } from '../subjects/subject-registry';

/**
 * Subject references are namespaced by the org that registers them (`<MSP id>:…`), and only the
 * org that registered a subject may grant consents about it. Without this rule any org's
 * consent-manager could "consent" on another org's patient's behalf — e.g. an AI provider granting
 * itself model-training use — and the ledger would accept it. Every endorsing peer checks it from the
 * hash of the subject's entry in the controller's implicit collection: hashes are on every peer of
 * the channel, the values (key, mapping) only on the controller's own peers. An erased subject has
 * no entry left, so no new consent can be granted for it.
 */
export async function requireSubjectRegisteredBy(ctx: Context, controllerMspId: string, subjectRef: string): Promise<void> {
  // The namespace stops an org from registering a copy of another org's (public) subjectRef in its
  // own collection and then consenting on that subject's behalf.
  if (!subjectRef.startsWith(`${controllerMspId}:`)) {
    throw new ContractError(
      'PRECONDITION_FAILED',
      `subject ${subjectRef} is not in ${controllerMspId}'s namespace: an org grants consents only about its own subjects ('${controllerMspId}:…')`,
    );
  }
  const hash = await ctx.stub.getPrivateDataHash(`_implicit_org_${controllerMspId}`, subjectEntryKey(subjectRef));
  if (hash.length === 0) {
    throw new ContractError(
      'PRECONDITION_FAILED',
      `subject ${subjectRef} is not registered by ${controllerMspId} (or was erased): only the org that registered a subject (Subjects:RegisterSubject) may grant consents about it`,
    );
  }
}
