import type { Gateway } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { TRANSACTIONS } from '@aal/ledger-contract';

/**
 * What a channel's blocks hold, read through qscc on the peer `gateway` is connected to: for tests
 * asserting that a refused request ordered nothing on a network other test files share.
 */

/** The channel's height on the gateway's peer (its last block's number + 1). */
export async function channelHeight(gateway: Gateway, channel: string): Promise<number> {
  const info = await gateway.getNetwork(channel).getContract('qscc').evaluateTransaction('GetChainInfo', channel);
  return common.BlockchainInfo.deserializeBinary(info).getHeight();
}

/** One transaction of a block: the chaincode function it invoked (`config` for a config transaction) and its id. */
export interface BlockTransaction {
  readonly function: string;
  readonly transactionId: string;
}

/** The transactions of blocks `from`..`to` (exclusive), as the gateway's peer holds them. */
export async function transactionsInBlocks(
  gateway: Gateway,
  channel: string,
  from: number,
  to: number,
): Promise<BlockTransaction[]> {
  const qscc = gateway.getNetwork(channel).getContract('qscc');
  const transactions: BlockTransaction[] = [];
  for (let number = from; number < to; number++) {
    const block = common.Block.deserializeBinary(
      await qscc.evaluateTransaction('GetBlockByNumber', channel, String(number)),
    );
    for (const bytes of block.getData()?.getDataList_asU8() ?? []) {
      const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
      const header = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      );
      const transactionId = header.getTxId();
      if (header.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
        transactions.push({ function: 'config', transactionId });
        continue;
      }
      const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
      const proposal = peer.ChaincodeProposalPayload.deserializeBinary(
        peer.ChaincodeActionPayload.deserializeBinary(
          action?.getPayload_asU8() ?? new Uint8Array(),
        ).getChaincodeProposalPayload_asU8(),
      );
      const args =
        peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8())
          .getChaincodeSpec()
          ?.getInput()
          ?.getArgsList_asU8() ?? [];
      transactions.push({ function: Buffer.from(args[0] ?? new Uint8Array()).toString('utf8'), transactionId });
    }
  }
  return transactions;
}

/**
 * The transactions ordered on `channel` since its height was `before`, except the apps'
 * auditor-read log anchors: the shared network's apps keep anchoring their logs in the background
 * (for the reads earlier test files made), so a block added meanwhile may hold those, and a refused
 * request must have added nothing else.
 */
export async function transactionsWrittenSince(
  gateway: Gateway,
  channel: string,
  before: number,
): Promise<BlockTransaction[]> {
  const written = await transactionsInBlocks(gateway, channel, before, await channelHeight(gateway, channel));
  return written.filter((transaction) => transaction.function !== TRANSACTIONS.anchorReads);
}

/** The functions of {@link transactionsWrittenSince}. */
export async function writtenSince(gateway: Gateway, channel: string, before: number): Promise<string[]> {
  return (await transactionsWrittenSince(gateway, channel, before)).map((transaction) => transaction.function);
}
