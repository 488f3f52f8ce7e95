import * as grpc from '@grpc/grpc-js';
import {
  connect,
  GatewayError,
  type ChaincodeEvent as GatewayChaincodeEvent,
  type CloseableAsyncIterable,
  type ConnectOptions,
  type Gateway,
} from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayProfile } from '../config';
import { gatewaySigning } from '../identity/native-ecdsa-signer';
import type { ChaincodeEventStream } from './chaincode-event';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult, TransientData } from './ledger-client';
import { chaincodeRefusal } from './chaincode-refusal';
import { LedgerError } from './ledger-error';

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
      // Native P-256 signing: the pure-JavaScript default was a fifth of the app's CPU (docs/performance.md).
      ...gatewaySigning(createPrivateKey(readFileSync(join(files.keyDir, keyFile)))),
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

  /**
   * Proposal options: with transient data, endorsement by the org's own peers only, so the
   * transient map (identifiers, keys) is never sent to another org's peer.
   */
  private proposal(args: readonly string[], transient: TransientData | undefined, ownOrgOnly = false) {
    const ownOrg = { endorsingOrganizations: [this.profile.mspId] };
    if (transient === undefined) return { arguments: [...args], ...(ownOrgOnly ? ownOrg : {}) };
    return { arguments: [...args], transientData: { ...transient }, ...ownOrg };
  }

  async submit(
    channel: string,
    transaction: string,
    args: readonly string[],
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    try {
      const submitted = await this.contract(channel).submitAsync(transaction, this.proposal(args, options.transient));
      const status = await submitted.getStatus();
      if (!status.successful) throw invalidatedTransaction(status.transactionId, status.code);
      return {
        result: Buffer.from(submitted.getResult()).toString('utf8'),
        transactionId: submitted.getTransactionId(),
        blockNumber: status.blockNumber,
      };
    } catch (error) {
      throw toLedgerError(error, this.profile.mspId);
    }
  }

  async evaluate(
    channel: string,
    transaction: string,
    args: readonly string[],
    options: EvaluateOptions = {},
  ): Promise<string> {
    try {
      const result = await this.contract(channel).evaluate(
        transaction,
        this.proposal(args, options.transient, options.ownOrgOnly),
      );
      return Buffer.from(result).toString('utf8');
    } catch (error) {
      throw toLedgerError(error, this.profile.mspId);
    }
  }

  async evaluateSystem(
    channel: string,
    chaincode: 'qscc',
    transaction: string,
    args: readonly string[],
  ): Promise<Uint8Array> {
    try {
      return await this.gateway
        .getNetwork(channel)
        .getContract(chaincode)
        .evaluateTransaction(transaction, ...args);
    } catch (error) {
      throw toLedgerError(error, this.profile.mspId);
    }
  }

  async chaincodeEvents(channel: string, startBlock: bigint | undefined): Promise<ChaincodeEventStream> {
    let events: CloseableAsyncIterable<GatewayChaincodeEvent>;
    try {
      events = await this.gateway
        .getNetwork(channel)
        .getChaincodeEvents(this.profile.chaincode, startBlock === undefined ? {} : { startBlock });
    } catch (error) {
      throw toLedgerError(error, this.profile.mspId);
    }
    return chaincodeEventStream(events);
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

/** Adapts the gateway's event stream; a failure after close() is the close itself, not an error. */
function chaincodeEventStream(events: CloseableAsyncIterable<GatewayChaincodeEvent>): ChaincodeEventStream {
  let closed = false;
  const decoder = new TextDecoder();
  return {
    close: () => {
      closed = true;
      events.close();
    },
    async *[Symbol.asyncIterator]() {
      try {
        for await (const event of events) {
          yield {
            blockNumber: event.blockNumber,
            transactionId: event.transactionId,
            eventName: event.eventName,
            payload: decoder.decode(event.payload),
          };
        }
      } catch (error) {
        if (!closed) throw toLedgerError(error);
      }
    },
  };
}

/** Fabric's validation codes for a transaction invalidated because a concurrent one changed what it read. */
const READ_CONFLICT_CODES = new Set<number>([11 /* MVCC_READ_CONFLICT */, 12 /* PHANTOM_READ_CONFLICT */]);

/** A transaction the peers refused at commit: a read conflict is transient, anything else is final. */
export function invalidatedTransaction(transactionId: string, validationCode: number): LedgerError {
  const message = `transaction ${transactionId} was not committed: validation code ${validationCode}`;
  if (READ_CONFLICT_CODES.has(validationCode))
    return new LedgerError('conflict', message, { transient: true, validationCode });
  return new LedgerError('rejected', message, { validationCode });
}

/**
 * gRPC codes that mean "not now" rather than "never": the peer, an endorser or the orderer did not
 * answer in time. CANCELLED too: a call cut off at its deadline while the org's peer waits on
 * endorsers it cannot reach (an org cut off from the network) is reported so; nothing was refused,
 * and a retry with the same id is safe.
 */
const TRANSIENT_CODES = new Set<grpc.status>([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.CANCELLED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
]);

/**
 * The gateway's FAILED_PRECONDITION answers when too few live peers are known to endorse: discovery
 * finds no combination for the policy (right after start-up, or while a peer is down), or the
 * gateway has no connection to enough of the peers discovery lists — it names them, so the list is
 * not empty (an org cut off from the others). Nothing was endorsed; the same call succeeds once the
 * peers are back, so it is "not now" (503), not a fault of the app (500). With an empty list no
 * peer was unreachable: the policy cannot be met, which stays internal.
 */
const NO_ENDORSERS = new RegExp(
  [
    'no combination of peers can be derived',
    'no peer combination can satisfy',
    String.raw`failed to select a set of endorsers that satisfy the endorsement policy due to unavailability of peers: \[[^\]]`,
  ].join('|'),
  'i',
);
/**
 * How a peer refuses a proposal's creator: an org the channel does not know
 * (core/endorser/msgvalidation.go: `access denied: channel [c] creator org …`), or a creator that does
 * not satisfy the channel's ACL policy, e.g. once its org was removed (`Failed evaluating policy on
 * signed data during check policy on channel [c] with policy [/Channel/Application/Writers]`).
 */
const ACCESS_DENIED = /access denied|creator org unknown|Failed evaluating policy on signed data/i;
/** gRPC's INTERNAL as grpc-js reports a stream or connection reset under it, rather than a failure of the call. */
const TRANSPORT_RESET = /RST_STREAM|Protocol error|GOAWAY/;

/**
 * Classifies a Gateway failure so the HTTP layer can answer 4xx/503 instead of 500; `ownMspId` is
 * the app's own org, whose peer's word on the caller's identity is final.
 */
export function toLedgerError(error: unknown, ownMspId?: string): LedgerError {
  if (error instanceof LedgerError) return error;
  if (!(error instanceof GatewayError)) {
    return new LedgerError('internal', error instanceof Error ? error.message : String(error), { cause: error });
  }
  const refusal = chaincodeRefusal([...error.details.map((detail) => detail.message), error.message], error);
  if (refusal !== undefined) return refusal;
  const code = error.code as grpc.status;
  const endorserErrors = error.details.map((detail) => `${detail.address} (${detail.mspId}): ${detail.message}`);
  // Every endorser refusing the caller's identity (an org removed from the channel, a revoked
  // certificate) is an answer, not "not now", though the gateway reports it as ABORTED. It takes the
  // app's own org's peer or two orgs' peers saying so: another org's single word (a deviating
  // member's, or a peer behind on config blocks) while a peer is unreachable must not look final.
  const denyingOrgs = new Set(error.details.map((detail) => detail.mspId));
  const deniedByEveryEndorser =
    error.details.length > 0 &&
    error.details.every((detail) => ACCESS_DENIED.test(detail.message)) &&
    (denyingOrgs.size >= 2 || (ownMspId !== undefined && denyingOrgs.has(ownMspId)));
  if (code === grpc.status.PERMISSION_DENIED || ACCESS_DENIED.test(error.message) || deniedByEveryEndorser) {
    return new LedgerError('forbidden', error.message, { cause: error, endorserErrors });
  }
  // Not now: a transient code, too few live endorsers for the policy, or the transport reset (e.g. the peer's GOAWAY).
  if (
    TRANSIENT_CODES.has(code) ||
    (code === grpc.status.FAILED_PRECONDITION && NO_ENDORSERS.test(error.message)) ||
    (code === grpc.status.INTERNAL && TRANSPORT_RESET.test(error.message))
  ) {
    return new LedgerError('unavailable', `the ledger is unreachable: ${error.message}`, {
      cause: error,
      transient: true,
      // SubmitError (not exported by the package): the orderers did not take the endorsed transaction.
      notOrdered: error.name === 'SubmitError',
      endorserErrors,
    });
  }
  return new LedgerError('internal', error.message, { cause: error });
}
