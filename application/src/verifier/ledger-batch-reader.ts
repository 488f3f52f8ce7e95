import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { TRANSACTIONS, type LedgerBatch } from '@aal/ledger-contract';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayProfile } from '../config';
import { committedBatchOf, type CommittedBatchHeader } from './committed-batch';
import { LedgerEvidenceError } from './verifier-error';

/** The batch as the verifier read it from its own org's peer, with the evidence behind it. */
export interface LedgerBatchEvidence extends LedgerBatch {
  readonly validationCode: string;
  readonly org: string;
  readonly txTime: string;
}

const DEADLINE_MS = 10_000;
const decoder = new TextDecoder();

/**
 * Reads what the ledger itself says about a batched record, signing as one of the org's users
 * from its gateway profile and talking to the org's own peer — never to a REST service:
 * the record's batch and leaf index (world state, through the Batches contract), and the batch
 * root from the write set of the committed transaction (the block, through qscc). Refuses when
 * the two disagree or the transaction is not valid.
 */
export class LedgerBatchReader {
  private readonly client: grpc.Client;
  private readonly gateway: Gateway;

  constructor(
    private readonly profile: GatewayProfile,
    role: string,
    private readonly channel: string,
  ) {
    const files = profile.identities[role];
    if (files === undefined)
      throw new Error(`the gateway profile of ${profile.org} has no identity for role '${role}'`);
    const keyFile = readdirSync(files.keyDir)[0];
    if (keyFile === undefined) throw new Error(`no private key in ${files.keyDir}`);
    this.client = new grpc.Client(
      profile.peerEndpoint,
      grpc.credentials.createSsl(readFileSync(profile.peerTlsRootCert)),
    );
    this.gateway = connect({
      client: this.client,
      identity: { mspId: profile.mspId, credentials: readFileSync(files.certificate) },
      signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(files.keyDir, keyFile)))),
      hash: hash.sha256,
      evaluateOptions: () => ({ deadline: Date.now() + DEADLINE_MS }),
    });
  }

  /**
   * The batch holding record `id`, as world state and the recording block agree on it.
   *
   * @throws LedgerEvidenceError when the record is unknown, the transaction invalid, or state and block differ
   */
  async batchOfRecord(id: string): Promise<LedgerBatchEvidence> {
    const network = this.gateway.getNetwork(this.channel);
    const contract = network.getContract(this.profile.chaincode);
    let located: { batchId: string; leafIndex: number };
    try {
      located = JSON.parse(
        decoder.decode(await contract.evaluateTransaction(TRANSACTIONS.getBatchedInteraction, id)),
      ) as { batchId: string; leafIndex: number };
    } catch (error) {
      throw new LedgerEvidenceError(
        'RECORD_NOT_ON_LEDGER',
        `${id} on ${this.channel}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const inState = JSON.parse(
      decoder.decode(await contract.evaluateTransaction(TRANSACTIONS.getBatch, located.batchId)),
    ) as CommittedBatchHeader;
    const processed = await network
      .getContract('qscc')
      .evaluateTransaction('GetTransactionByID', this.channel, located.batchId);
    const { validationCode, header } = committedBatchOf(processed, this.profile.chaincode, located.batchId);
    if (validationCode !== 'VALID')
      throw new LedgerEvidenceError(
        'TX_NOT_VALID',
        `transaction ${located.batchId} has validation code ${validationCode}`,
      );
    if (header === undefined)
      throw new LedgerEvidenceError(
        'BATCH_NOT_IN_TX',
        `transaction ${located.batchId} wrote no header for batch ${located.batchId}`,
      );
    if (header.root !== inState.root || header.size !== inState.size || header.batchId !== inState.batchId) {
      throw new LedgerEvidenceError(
        'STATE_DIFFERS_FROM_BLOCK',
        `batch ${located.batchId}: state has root ${inState.root} (${inState.size}), the block ${header.root} (${header.size})`,
      );
    }
    return {
      txId: header.batchId,
      root: header.root,
      size: header.size,
      leafIndex: located.leafIndex,
      validationCode,
      org: header.org,
      txTime: header.txTime,
    };
  }

  close(): void {
    this.gateway.close();
    this.client.close();
  }
}
