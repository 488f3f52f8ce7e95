import type { Context } from 'fabric-contract-api';
import { ContractError } from '../errors';

/** Roles issued by each org's Fabric CA as the `role` certificate attribute. */
export const ROLES = ['recorder', 'consent-manager', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

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
    role: (ROLES as readonly string[]).includes(role ?? '') ? (role as Role) : undefined,
    enrollmentId: ctx.clientIdentity.getAttributeValue('hf.EnrollmentID') ?? '',
  };
}

/**
 * Refuses the call unless the caller holds one of the roles.
 *
 * @example
 * const caller = requireRole(ctx, 'recorder', 'admin');
 */
export function requireRole(ctx: Context, ...roles: Role[]): Caller {
  const caller = callerOf(ctx);
  if (caller.role === undefined || !roles.includes(caller.role)) {
    throw new ContractError(
      'ACCESS_DENIED',
      `access denied: role '${caller.role ?? 'none'}' of ${caller.mspId} may not do this (needs ${roles.join(' or ')})`,
    );
  }
  return caller;
}

/** Auditors read everything on the channel; everyone else reads only what their org owns or is party to. */
export function readsEverything(caller: Caller): boolean {
  return caller.role === 'auditor';
}
