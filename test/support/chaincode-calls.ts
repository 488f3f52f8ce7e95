import { GatewayError, type Contract, type Gateway, type ProposalOptions } from '@hyperledger/fabric-gateway';
import { lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeTransactionProof, type TransactionProof } from '@aal/application';
import { decodeContractError, type ContractErrorPayload } from '@aal/ledger-contract';

const decoder = new TextDecoder();

/**
 * Everything a refusal says: the gateway's message plus each peer's (the chaincode's
 * `CODE: detail` message arrives in the details of endorse and evaluate errors).
 */
export function chaincodeMessage(error: unknown): string {
  if (error instanceof GatewayError)
    return [error.message, ...error.details.map((detail) => detail.message)].join(' | ');
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs the call and returns what the chaincode said when refusing — `CODE: message` when the refusal
 * carries the chaincode's coded payload, else everything the gateway said; fails the test if it succeeds.
 */
export async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const payload = contractErrorOf(error);
    return payload === undefined ? chaincodeMessage(error) : `${payload.code}: ${payload.message}`;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/**
 * The chaincode's coded error (its JSON payload) carried by a refusal: from a peer's detail (endorse)
 * or from the message (evaluate); `undefined` when the refusal is not the chaincode's.
 */
export function contractErrorOf(error: unknown): ContractErrorPayload | undefined {
  const messages =
    error instanceof GatewayError
      ? [...error.details.map((detail) => detail.message), error.message]
      : [error instanceof Error ? error.message : String(error)];
  for (const message of messages) {
    const payload = decodeContractError(message);
    if (payload !== undefined) return payload;
  }
  return undefined;
}

/** Runs the call and returns the chaincode's coded refusal; fails the test if the call succeeds. */
export async function contractRefusal(call: Promise<unknown>): Promise<ContractErrorPayload | undefined> {
  try {
    await call;
  } catch (error) {
    return contractErrorOf(error);
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

export interface Submitted {
  readonly result: string;
  readonly txId: string;
}

/** Submits and waits for a successful commit, keeping the transaction id (for qscc look-ups). */
export async function submitTransaction(
  contract: Contract,
  name: string,
  options: ProposalOptions = {},
): Promise<Submitted> {
  const proposal = contract.newProposal(name, options);
  const transaction = await proposal.endorse().catch((error: unknown) => {
    throw new Error(`${name} was not endorsed: ${chaincodeMessage(error)}`);
  });
  const commit = await transaction.submit();
  const status = await commit.getStatus();
  if (!status.successful)
    throw new Error(`${name} (${status.transactionId}) committed with validation code ${status.code}`);
  return { result: decoder.decode(transaction.getResult()), txId: transaction.getTransactionId() };
}

export const evaluateJson = async <T>(contract: Contract, name: string, options: ProposalOptions = {}): Promise<T> =>
  JSON.parse(decoder.decode(await contract.evaluate(name, options))) as T;

/**
 * The committed transaction as the ledger has it (qscc), with the raw bytes of its block. The peer
 * asked may commit the block a moment after the submitting org's peer did, so an unknown id is
 * asked again for a few seconds before it counts as missing.
 */
export async function committedTransaction(
  gateway: Gateway,
  channel: string,
  txId: string,
): Promise<{ proof: TransactionProof; block: Buffer }> {
  const qscc = gateway.getNetwork(channel).getContract('qscc');
  for (let attempt = 1; ; attempt++) {
    try {
      const processed = await qscc.evaluateTransaction('GetTransactionByID', channel, txId);
      const block = await qscc.evaluateTransaction('GetBlockByTxID', channel, txId);
      return { proof: decodeTransactionProof(processed, block), block: Buffer.from(block) };
    } catch (error) {
      if (attempt >= 20 || !/no such transaction ID/.test(chaincodeMessage(error))) throw error;
      await sleep(250);
    }
  }
}

/**
 * Regular files under `dir` whose bytes contain `needle` (for "this node never stored that
 * secret"). Symbolic links below `dir` are not followed (no cycles, no file read twice). The
 * nodes keep running meanwhile — LevelDB compacts, PostgreSQL recycles its WAL — so a file or
 * directory that vanishes between listing and reading held nothing any more and is passed over.
 */
export function filesContaining(dir: string, needle: string): string[] {
  const pattern = Buffer.from(needle);
  const found: string[] = [];
  const vanished = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';
  const walk = (path: string, follow: boolean): void => {
    const stats = (follow ? statSync : lstatSync)(path, { throwIfNoEntry: false });
    if (stats === undefined) return;
    try {
      if (stats.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry), false);
      else if (stats.isFile() && readFileSync(path).includes(pattern)) found.push(path);
    } catch (error) {
      if (!vanished(error)) throw error;
    }
  };
  walk(dir, true);
  return found;
}
