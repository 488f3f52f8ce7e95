import { ValidationError, checkInput } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A transient schema of the contract (`orgKeysTransientSchema`, …): what {@link readTransient} checks against. */
type TransientSchema = Parameters<typeof checkInput>[0];

/**
 * Reads the transient map as strict input, against one of the contract's transient schemas (every
 * field required, unknown fields refused), values decoded as UTF-8. Paths read `transient.<name>`.
 * Error messages name fields and rules only, never values: values here are identifiers and keys.
 *
 * @example
 * const { identifier } = readTransient(ctx, subjectLookupTransientSchema);
 */
export function readTransient<S extends TransientSchema>(ctx: Context, schema: S): ReturnType<typeof checkInput<S>> {
  return checkInput(schema, decodeTransient(ctx), 'transient');
}

/** The transient map as text; refuses values that are not UTF-8. */
function decodeTransient(ctx: Context): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, bytes] of ctx.stub.getTransient()) {
    try {
      decoded[name] = utf8.decode(bytes);
    } catch {
      throw new ValidationError([{ path: `transient.${name}`, rule: 'must be UTF-8 text' }]);
    }
  }
  return decoded;
}

/**
 * Refuses any transient data. Transactions that write shared state are endorsed by a majority of
 * orgs, and every endorser receives the transient map: secrets must never ride along. `EraseSubject`
 * takes none either, so a key sent by mistake is refused rather than silently ignored.
 */
export function refuseTransient(
  ctx: Context,
  why = 'this transaction is endorsed by other orgs, which would receive it',
): void {
  const names = [...ctx.stub.getTransient().keys()];
  if (names.length > 0)
    throw new ValidationError(names.map((name) => ({ path: `transient.${name}`, rule: `must not be sent: ${why}` })));
}
