import { ContractError, ValidationError, orgNamespaceOf, type ErasureReceipt } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { readReceipt } from './erasure-receipt';
import { implicitCollectionOf } from './own-org';
import { subjectEntryKey } from './subject-registry';

/**
 * Who owns a subject: the org whose namespace its reference is in (`<MSP id>:…`, the contract's
 * `orgNamespaceOf`). Ownership follows from the public reference itself, so every endorsing peer
 * judges it alike without trusting any org's private data — which that org's own peers (and
 * chaincode server) alone endorse, and so could fill with anything. The owner is the subject's data
 * controller: only it registers the subject, grants consents about it and records its erasure.
 *
 * Why not a public owner marker written by `RegisterSubject`: that transaction carries the
 * identifier in its transient map and is endorsed by the registering org's peers only; a public
 * write in it would need the channel's MAJORITY endorsement and fail validation.
 */
export function subjectOwnerOf(subjectRef: string): string | undefined {
  return orgNamespaceOf(subjectRef);
}

/**
 * `RegisterSubject`: a new subject reference must be in the caller's namespace.
 *
 * @throws ContractError `CONFLICT` for another org's subject, `INVALID_ARGUMENT` for a reference in no namespace
 */
export function requireRegistrableSubjectRef(mspId: string, subjectRef: string): void {
  const owner = subjectOwnerOf(subjectRef);
  if (owner === mspId) return;
  if (owner === undefined)
    throw new ValidationError([
      { path: 'transient.subjectRef', rule: `must be in the caller's namespace ('${mspId}:…')` },
    ]);
  throw new ContractError({
    code: 'CONFLICT',
    message: `subjectRef ${subjectRef} belongs to ${owner}: ${mspId} registers subjects only in its own namespace ('${mspId}:…')`,
  });
}

/**
 * Refuses a caller whose org does not own the subject (`ACCESS_DENIED`), e.g. another member
 * granting consents or recording an erasure receipt for a hospital's patient.
 */
export function requireSubjectOwner(mspId: string, subjectRef: string, action: string): void {
  const owner = subjectOwnerOf(subjectRef);
  if (owner === mspId) return;
  throw new ContractError({
    code: 'ACCESS_DENIED',
    message: `access denied: only the org that owns subject ${subjectRef} (${owner ?? 'none: not in any org namespace'}) may ${action}; ${mspId} owns only '${mspId}:…'`,
  });
}

/** Why a subject's data may no longer be used: its erasure receipt. */
export function subjectErasedReason(receipt: ErasureReceipt): string {
  return `subject ${receipt.subjectRef} was erased at ${receipt.erasedAt}`;
}

/**
 * `GrantConsent`: the caller's org owns the subject, the subject was not erased (no erasure
 * receipt), and the org registered it — checked from the hash of the subject's entry in the owner's
 * implicit collection, which every peer of the channel holds (the values only the owner's peers).
 *
 * @throws ContractError `ACCESS_DENIED` (another org's subject), `PRECONDITION_FAILED` (erased, or not registered)
 */
export async function requireGrantableSubject(ctx: Context, mspId: string, subjectRef: string): Promise<void> {
  requireSubjectOwner(mspId, subjectRef, 'grant consents about it');
  const receipt = await readReceipt(ctx, subjectRef);
  if (receipt !== undefined) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `${subjectErasedReason(receipt)}: no consent can be granted about it`,
      reasons: [{ path: 'subjectRef', reason: subjectErasedReason(receipt) }],
    });
  }
  const hash = await ctx.stub.getPrivateDataHash(implicitCollectionOf(mspId), subjectEntryKey(subjectRef));
  if (hash.length === 0) {
    throw new ContractError({
      code: 'PRECONDITION_FAILED',
      message: `subject ${subjectRef} is not registered by ${mspId} (or was erased): only the org that registered a subject (Subjects:RegisterSubject) may grant consents about it`,
      reasons: [{ path: 'subjectRef', reason: `is not registered by ${mspId} (or was erased)` }],
    });
  }
}
