import type * as grpc from '@grpc/grpc-js';
import { connect, type CloseableAsyncIterable, type Gateway } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayProfile } from '../config';
import { gatewaySigning } from '../identity/native-ecdsa-signer';
import type { BlockSource } from './block-source';

/**
 * Blocks from the org's own peer through the Fabric Gateway's block event service, signed as one
 * of the org's application users (any member of the channel may read its blocks).
 */
export class GatewayBlockSource implements BlockSource {
  private readonly gateway: Gateway;

  constructor(profile: GatewayProfile, role: string, client: grpc.Client) {
    const files = profile.identities[role];
    if (files === undefined) throw new Error(`no identity for role '${role}' in the gateway profile of ${profile.org}`);
    const keyFile = readdirSync(files.keyDir)[0];
    if (keyFile === undefined) throw new Error(`no private key in ${files.keyDir}`);
    this.gateway = connect({
      client,
      identity: { mspId: profile.mspId, credentials: readFileSync(files.certificate) },
      ...gatewaySigning(createPrivateKey(readFileSync(join(files.keyDir, keyFile)))),
    });
  }

  blocks(channel: string, startBlock: bigint): Promise<CloseableAsyncIterable<common.Block>> {
    return this.gateway.getNetwork(channel).getBlockEvents({ startBlock });
  }

  /** The channel's height on the org's peer (its last block's number + 1), from qscc's GetChainInfo. */
  async height(channel: string): Promise<number> {
    const info = await this.gateway
      .getNetwork(channel)
      .getContract('qscc')
      .evaluateTransaction('GetChainInfo', channel);
    return common.BlockchainInfo.deserializeBinary(info).getHeight();
  }

  close(): void {
    this.gateway.close();
  }
}
