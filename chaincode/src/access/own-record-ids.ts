import { ContractError, ValidationError, ownRecordIdRule, recordIdOwnerOf } from '@aal/ledger-contract';

/** The id of a record a transaction would create, and the argument path it was given at (`id`, `[3].id`). */
export interface NewRecordId {
  readonly id: string;
  readonly path: string;
}

/**
 * Every new record id must be in the caller's org namespace (`<MSP id>:…`, the contract's
 * record-id rule), judged from the certificate's MSP id and the id alone — before any state is
 * read, so a refusal says nothing about whether the id exists. Record ids were one channel-wide
 * namespace, in which a member could take another org's id first and make that org's write fail.
 *
 * @param kind what the records are, in messages (`interaction`, `consent`, …)
 * @throws ValidationError `INVALID_ARGUMENT` naming each id in no namespace; otherwise ContractError
 *   `CONFLICT` naming each id in another org's namespace and its owner
 */
export function requireOwnRecordIds(mspId: string, kind: string, ids: readonly NewRecordId[]): void {
  const unqualified = ids.filter(({ id }) => recordIdOwnerOf(id) === undefined);
  if (unqualified.length > 0) {
    throw new ValidationError(unqualified.map(({ path }) => ({ path, rule: ownRecordIdRule(mspId) })));
  }
  const foreign = ids.filter(({ id }) => recordIdOwnerOf(id) !== mspId);
  if (foreign.length > 0) {
    throw new ContractError({
      code: 'CONFLICT',
      message: foreign
        .map(
          ({ id, path }) =>
            `${path}: ${kind} id ${id} belongs to ${recordIdOwnerOf(id) ?? ''}: ${mspId} creates ${kind}s only in its own namespace ('${mspId}:…')`,
        )
        .join('; '),
    });
  }
}
