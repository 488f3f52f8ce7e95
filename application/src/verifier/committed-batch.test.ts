import { peer } from '@hyperledger/fabric-protos';
import { testEnvelope, type TestWrite } from '../testing/block-builder';
import { committedBatchOf } from './committed-batch';

const BATCH_ID = 'a'.repeat(64);
const header = {
  batchId: BATCH_ID,
  org: 'HospitalAMSP',
  recordedBy: 'app-recorder',
  txTime: '2026-01-01T00:00:00.000Z',
  size: 3,
  root: 'b'.repeat(64),
  ids: ['x', 'y', 'z'],
};

/** A ProcessedTransaction as qscc returns it, whose one action wrote `writes` in `namespace`. */
function processedTransaction(writes: TestWrite[], code: number, namespace = 'audit'): Uint8Array {
  const processed = new peer.ProcessedTransaction();
  processed.setTransactionenvelope(testEnvelope({ txId: 'tx-1', writes, namespace }));
  processed.setValidationcode(code);
  return processed.serializeBinary();
}

const headerKey = `\u0000batch\u0000${BATCH_ID}\u0000`;

describe('committedBatchOf', () => {
  it("reads the batch header from the transaction's write set, with the validation code", () => {
    const bytes = processedTransaction(
      [
        { key: `\u0000batched-interaction\u0000x\u0000`, value: '{}' },
        { key: headerKey, value: JSON.stringify(header) },
      ],
      peer.TxValidationCode.VALID,
    );
    expect(committedBatchOf(bytes, 'audit', BATCH_ID)).toEqual({ validationCode: 'VALID', header });
  });

  it('names an invalidated transaction by its code', () => {
    const bytes = processedTransaction(
      [{ key: headerKey, value: JSON.stringify(header) }],
      peer.TxValidationCode.MVCC_READ_CONFLICT,
    );
    expect(committedBatchOf(bytes, 'audit', BATCH_ID).validationCode).toBe('MVCC_READ_CONFLICT');
  });

  it("finds no header for another batch, another chaincode's namespace, or a delete", () => {
    const bytes = processedTransaction(
      [{ key: headerKey, value: JSON.stringify(header) }],
      peer.TxValidationCode.VALID,
    );
    expect(committedBatchOf(bytes, 'audit', 'c'.repeat(64)).header).toBeUndefined();
    expect(
      committedBatchOf(
        processedTransaction([{ key: headerKey, value: JSON.stringify(header) }], peer.TxValidationCode.VALID, 'other'),
        'audit',
        BATCH_ID,
      ).header,
    ).toBeUndefined();
    expect(
      committedBatchOf(
        processedTransaction([{ key: headerKey, value: '', isDelete: true }], peer.TxValidationCode.VALID),
        'audit',
        BATCH_ID,
      ).header,
    ).toBeUndefined();
  });
});
