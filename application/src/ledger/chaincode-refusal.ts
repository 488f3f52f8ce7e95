import { decodeContractError, type ContractErrorCode, type ContractErrorPayload } from '@aal/ledger-contract';
import { LedgerError, type LedgerErrorKind } from './ledger-error';

/**
 * The chaincode's refusals as the application sees them. The chaincode's error message is the JSON
 * payload of `@aal/ledger-contract` (`{"code","message","violations"?,"reasons"?}`), which the
 * gateway wraps (`chaincode response 500, {...}`) in each endorsement error detail; it is decoded,
 * never parsed out of prose.
 */

const KIND_OF_CODE: Readonly<Record<ContractErrorCode, LedgerErrorKind>> = {
  INVALID_ARGUMENT: 'invalid-argument',
  NOT_FOUND: 'not-found',
  CONFLICT: 'conflict',
  ACCESS_DENIED: 'forbidden',
  PRECONDITION_FAILED: 'precondition-failed',
};

/** What the gateway puts before the chaincode's own message in an endorsement failure. */
const CHAINCODE_RESPONSE = 'chaincode response ';

/** The ledger error of a decoded chaincode refusal: its kind by code, its message, fields and reasons. */
export function ledgerErrorOfPayload(payload: ContractErrorPayload, cause?: unknown): LedgerError {
  const more = payload.omitted === undefined ? '' : ` (and ${payload.omitted} more not listed)`;
  return new LedgerError(KIND_OF_CODE[payload.code], `${payload.message}${more}`, {
    cause,
    code: payload.code,
    ...(payload.violations === undefined ? {} : { violations: payload.violations }),
    ...(payload.reasons === undefined ? {} : { reasons: payload.reasons }),
  });
}

/**
 * The chaincode's refusal in the texts of a failed call (the gateway error's details, then its
 * message): its coded payload when one holds it, else — for a chaincode failure without a payload
 * (e.g. fabric-contract-api's own refusal of an unknown transaction) — a final `rejected`.
 * `undefined` when the failure did not come from the chaincode.
 */
export function chaincodeRefusal(texts: readonly string[], cause?: unknown): LedgerError | undefined {
  for (const text of texts) {
    const payload = decodeContractError(text);
    if (payload !== undefined) return ledgerErrorOfPayload(payload, cause);
  }
  const uncoded = texts.find((text) => text.includes(CHAINCODE_RESPONSE));
  if (uncoded === undefined) return undefined;
  // The status code and comma after the marker belong to the gateway, the rest to the chaincode.
  const rest = uncoded.slice(uncoded.indexOf(CHAINCODE_RESPONSE) + CHAINCODE_RESPONSE.length);
  const comma = rest.indexOf(', ');
  return new LedgerError('rejected', (comma < 0 ? rest : rest.slice(comma + 2)).trim(), { cause });
}
