import * as grpc from '@grpc/grpc-js';
import {
  connect,
  GatewayError,
  hash,
  signers,
  type ConnectOptions,
  type Gateway,
} from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayProfile } from '../config';
import type { LedgerClient, SubmitResult } from './ledger-client';
import { LedgerError, type LedgerErrorKind } from './ledger-error';

/** Deadlines: queries are quick; a submit waits for ordering and commit. */
const DEADLINES = { evaluateMs: 5_000, endorseMs: 15_000, submitMs: 5_000, commitStatusMs: 60_000 } as const;

/** Opens one gRPC connection to the org's peer; every role's gateway shares it. */
export function connectToPeer(profile: GatewayProfile): grpc.Client {
  const credentials = grpc.credentials.createSsl(readFileSync(profile.peerTlsRootCert));
  return new grpc.Client(profile.peerEndpoint, credentials, {
    // Keep the connection healthy across idle periods instead of failing the next call.
    'grpc.keepalive_time_ms': 120_000,
  });
}

/**
 * A {@link LedgerClient} that signs as one of the org's application users, through the Fabric
 * Gateway on the org's own peer.
 */
export class GatewayLedgerClient implements LedgerClient {
  private readonly gateway: Gateway;

  constructor(
    private readonly profile: GatewayProfile,
    role: string,
    private readonly client: grpc.Client,
  ) {
    const files = profile.identities[role];
    if (!files) throw new Error(`no identity for role '${role}' in the gateway profile of ${profile.org}`);
    const keyFile = readdirSync(files.keyDir)[0];
    if (!keyFile) throw new Error(`no private key in ${files.keyDir}`);
    const options: ConnectOptions = {
      client,
      identity: { mspId: profile.mspId, credentials: readFileSync(files.certificate) },
      signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(files.keyDir, keyFile)))),
      hash: hash.sha256,
      evaluateOptions: () => ({ deadline: Date.now() + DEADLINES.evaluateMs }),
      endorseOptions: () => ({ deadline: Date.now() + DEADLINES.endorseMs }),
      submitOptions: () => ({ deadline: Date.now() + DEADLINES.submitMs }),
      commitStatusOptions: () => ({ deadline: Date.now() + DEADLINES.commitStatusMs }),
    };
    this.gateway = connect(options);
  }

  private contract(channel: string) {
    return this.gateway.getNetwork(channel).getContract(this.profile.chaincode);
  }

  async submit(channel: string, transaction: string, args: readonly string[]): Promise<SubmitResult> {
    try {
      const submitted = await this.contract(channel).submitAsync(transaction, { arguments: [...args] });
      const status = await submitted.getStatus();
      if (!status.successful) {
        throw new LedgerError(
          status.code === 11 || status.code === 12 ? 'conflict' : 'rejected',
          `transaction ${status.transactionId} was not committed: validation code ${status.code}`,
        );
      }
      return {
        result: Buffer.from(submitted.getResult()).toString('utf8'),
        transactionId: submitted.getTransactionId(),
        blockNumber: status.blockNumber,
      };
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async evaluate(channel: string, transaction: string, args: readonly string[]): Promise<string> {
    try {
      const result = await this.contract(channel).evaluateTransaction(transaction, ...args);
      return Buffer.from(result).toString('utf8');
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async evaluateSystem(channel: string, chaincode: 'qscc', transaction: string, args: readonly string[]): Promise<Uint8Array> {
    try {
      return await this.gateway.getNetwork(channel).getContract(chaincode).evaluateTransaction(transaction, ...args);
    } catch (error) {
      throw toLedgerError(error);
    }
  }

  async ready(): Promise<boolean> {
    return new Promise((resolve) => {
      this.client.waitForReady(Date.now() + 2_000, (error) => resolve(error === undefined || error === null));
    });
  }

  close(): void {
    this.gateway.close();
  }
}

const CHAINCODE_MESSAGE = /chaincode response \d+, (.*)$/s;

/** The chaincode's own reason, when the failure came from the chaincode. */
export function chaincodeMessage(error: GatewayError): string | undefined {
  const texts = [...error.details.map((detail) => detail.message), error.message];
  for (const text of texts) {
    const match = CHAINCODE_MESSAGE.exec(text);
    if (match?.[1]) return match[1].trim();
  }
  return undefined;
}

/** Classifies a Gateway failure so the HTTP layer can answer 4xx/503 instead of 500. */
export function toLedgerError(error: unknown): LedgerError {
  if (error instanceof LedgerError) return error;
  if (!(error instanceof GatewayError)) {
    return new LedgerError('internal', error instanceof Error ? error.message : String(error), { cause: error });
  }
  const reason = chaincodeMessage(error);
  if (reason !== undefined) return new LedgerError(kindOfChaincodeReason(reason), reason, { cause: error });
  const code = error.code as grpc.status;
  if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED || code === grpc.status.RESOURCE_EXHAUSTED) {
    return new LedgerError('unavailable', `the ledger is unreachable: ${error.message}`, { cause: error });
  }
  if (code === grpc.status.PERMISSION_DENIED || /access denied|creator org unknown/i.test(error.message)) {
    return new LedgerError('forbidden', error.message, { cause: error });
  }
  return new LedgerError('internal', error.message, { cause: error });
}

function kindOfChaincodeReason(reason: string): LedgerErrorKind {
  if (/does not exist|not found/i.test(reason)) return 'not-found';
  if (/already exists|conflict/i.test(reason)) return 'conflict';
  if (/access denied|not allowed|forbidden/i.test(reason)) return 'forbidden';
  return 'rejected';
}
