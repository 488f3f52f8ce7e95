import { decodeContractError, encodeContractError, type ContractErrorPayload } from '@aal/ledger-contract';

/**
 * The refusal a call ended with, decoded from its error message the way a client decodes it. Fails
 * the test when the call succeeds or when the message is anything but exactly an encoded payload.
 */
export async function refusalOf(promise: Promise<unknown>): Promise<ContractErrorPayload> {
  try {
    await promise;
  } catch (error) {
    const message = (error as Error).message;
    const payload = decodeContractError(message);
    if (payload === undefined || encodeContractError(payload) !== message)
      throw new Error(`not a coded refusal: ${message}`);
    return payload;
  }
  throw new Error('expected the call to be refused');
}

/** A refusal as `CODE: message`, for compact assertions (the message of a validation error lists `path: rule; …`). */
export async function errorOf(promise: Promise<unknown>): Promise<string> {
  const payload = await refusalOf(promise);
  return `${payload.code}: ${payload.message}`;
}
