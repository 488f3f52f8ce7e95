import { ledger, peer } from '@hyperledger/fabric-protos';

/**
 * The writes one endorser transaction made in `chaincode`'s namespace, every action's, in order:
 * what the block holds and every peer applied, read from the transaction itself rather than from
 * any chaincode query. Used by the audit index (blocks) and the proof verifier (qscc answers).
 */
export function chaincodeWrites(transaction: peer.Transaction, chaincode: string): ledger.rwset.kvrwset.KVWrite[] {
  const writes: ledger.rwset.kvrwset.KVWrite[] = [];
  for (const action of transaction.getActionsList()) {
    const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
    const proposalResponse = actionPayload.getAction()?.getProposalResponsePayload_asU8();
    if (proposalResponse === undefined) continue;
    const chaincodeAction = peer.ChaincodeAction.deserializeBinary(
      peer.ProposalResponsePayload.deserializeBinary(proposalResponse).getExtension_asU8(),
    );
    const readWriteSet = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
    for (const namespace of readWriteSet.getNsRwsetList()) {
      if (namespace.getNamespace() !== chaincode) continue;
      writes.push(...ledger.rwset.kvrwset.KVRWSet.deserializeBinary(namespace.getRwset_asU8()).getWritesList());
    }
  }
  return writes;
}
