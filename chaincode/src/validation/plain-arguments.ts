import { dateTime, orgMspId, readLogName, recordId, sha256Hex } from '@aal/ledger-contract';

/**
 * The rules of the transactions' plain string arguments (ids, dates, hashes), each built once: the
 * contract's field rules are factories, and building a zod schema costs more than checking one
 * short string with it — on every call of the transactions that take one.
 */
export const PLAIN_ARGUMENTS = {
  recordId: recordId(),
  dateTime: dateTime(),
  sha256Hex: sha256Hex(),
  orgMspId: orgMspId(),
  readLogName: readLogName(),
} as const;
