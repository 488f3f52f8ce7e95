import { ContractError, ROLES, TRANSACTION_ROLES, isRole, type Role, type TransactionName } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { AUDITOR_ORGS } from './auditor-orgs';

/** Who is calling, as the chaincode can prove it: from the signed certificate, never from input. */
export interface Caller {
  readonly mspId: string;
  /** `undefined` for identities without a (known) role attribute, e.g. peers. */
  readonly role: Role | undefined;
  /** The enrollment id (`hf.EnrollmentID`), e.g. `app-recorder`: names the user, not a person. */
  readonly enrollmentId: string;
}

export function callerOf(ctx: Context): Caller {
  const role = ctx.clientIdentity.getAttributeValue('role');
  return {
    mspId: ctx.clientIdentity.getMSPID(),
    role: isRole(role) ? role : undefined,
    enrollmentId: ctx.clientIdentity.getAttributeValue('hf.EnrollmentID') ?? '',
  };
}

/**
 * Refuses the call unless the caller holds one of the roles.
 *
 * @example
 * const caller = requireRole(ctx, 'recorder', 'admin');
 */
export function requireRole(ctx: Context, ...roles: readonly Role[]): Caller {
  const caller = callerOf(ctx);
  if (caller.role === undefined || !roles.includes(caller.role)) {
    throw new ContractError({
      code: 'ACCESS_DENIED',
      message: `access denied: role '${caller.role ?? 'none'}' of ${caller.mspId} may not do this (needs ${roles.join(' or ')})`,
    });
  }
  return caller;
}

/**
 * Refuses the call unless the caller holds one of the roles the contract package gives `transaction`
 * ({@link TRANSACTION_ROLES}), the one table the REST app's routes use too.
 *
 * @example
 * const caller = requireTransactionRole(ctx, TRANSACTIONS.recordInteraction);
 */
export function requireTransactionRole(ctx: Context, transaction: TransactionName): Caller {
  return requireRole(ctx, ...TRANSACTION_ROLES[transaction]);
}

/** Refuses the call unless the caller holds any of the {@link ROLES} (peers and role-less identities are refused). */
export function requireAnyRole(ctx: Context): Caller {
  return requireRole(ctx, ...ROLES);
}

/**
 * Auditors of the configured auditor orgs ({@link AUDITOR_ORGS}) read everything on the channel;
 * everyone else — auditors of any other org included, since every org's CA can mint the role —
 * reads only what their org owns or is party to.
 *
 * @param auditorOrgs the configured auditor orgs; tests pass their own
 */
export function readsEverything(caller: Caller, auditorOrgs: ReadonlySet<string> = AUDITOR_ORGS): boolean {
  return caller.role === 'auditor' && auditorOrgs.has(caller.mspId);
}
