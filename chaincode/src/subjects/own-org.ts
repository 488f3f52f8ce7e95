import { ContractError } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import type { Caller } from '../access/caller';

/**
 * The caller's own implicit private collection. Its endorsement policy is the org's own
 * `Endorsement` policy, so only that org's peers hold the values and only they endorse writes.
 * The name comes from the certificate, never from input: an org can only touch its own.
 */
export function ownCollection(caller: Pick<Caller, 'mspId'>): string {
  return implicitCollectionOf(caller.mspId);
}

/** An org's implicit private collection, named as Fabric names it. */
export function implicitCollectionOf(mspId: string): string {
  return `_implicit_org_${mspId}`;
}

/**
 * The MSP of the peer running this chaincode, or `undefined` when the chaincode process was not
 * told (the shim reads `CORE_PEER_LOCALMSPID` from its own environment, which a
 * chaincode-as-a-service server does not inherit from its peer and throws when it is unset).
 */
function peerMspIdOf(ctx: Context): string | undefined {
  try {
    return ctx.stub.getMspID();
  } catch {
    return undefined;
  }
}

/**
 * Refuses to run on another org's peer (when the chaincode process knows its peer's org). A client that forgot to set the gateway's endorsing
 * organisations would send its transient secrets there; refusing makes that mistake fail loudly
 * instead of half-working (and a foreign peer holds none of the org's private values anyway).
 */
export function requireOwnOrgPeer(ctx: Context, caller: Caller): void {
  const peerMspId = peerMspIdOf(ctx);
  if (peerMspId !== undefined && peerMspId !== caller.mspId) {
    throw new ContractError({
      code: 'ACCESS_DENIED',
      message: `access denied: ${caller.mspId}'s private subject data is only served by its own peers, not by ${peerMspId}'s (set the endorsing organisations to ${caller.mspId})`,
    });
  }
}
