import { common } from '@hyperledger/fabric-protos';
import { createHash } from 'node:crypto';
import { testBlock } from '../testing/block-builder';
import { blockDataHash, blockHeaderBytes, blockHeaderHash } from './block-hashes';

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const PREVIOUS = sha256('previous');
const DATA = sha256('data');

function header(number: number, previous: Uint8Array | undefined, data: Uint8Array | undefined): common.BlockHeader {
  const built = new common.BlockHeader();
  built.setNumber(number);
  if (previous !== undefined) built.setPreviousHash(previous);
  if (data !== undefined) built.setDataHash(data);
  return built;
}

describe("Fabric's block hashes", () => {
  // Expected bytes and hashes from Go: encoding/asn1.Marshal of protoutil's asn1Header
  // {Number *big.Int; PreviousHash, DataHash []byte}, then SHA-256 — what protoutil.BlockHeaderHash does.
  it.each([
    [
      0,
      undefined,
      DATA,
      '3027020100040004203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
      'ca0f510a0966e4a18bc60b9425322fd8a582dcf255942c6742151db219b17f61',
    ],
    [
      1,
      PREVIOUS,
      DATA,
      '304702010104206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
      '1f75391ad39c8a4300326be4552c56c485699b1fb628956a72cada36a30bf0b3',
    ],
    [
      128,
      PREVIOUS,
      DATA,
      '30480202008004206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
      'c477e57ea2b334ba0ce574d4bf5cbf4cae1fb20bce16edced118f8ebb011849b',
    ],
    [
      255,
      PREVIOUS,
      undefined,
      '3028020200ff04206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d0400',
      'ab37b6bb7b42bfe05955807fef9e60e1e0f34f4661c1763efa1069d51e9dfa54',
    ],
    [
      65536,
      PREVIOUS,
      DATA,
      '3049020301000004206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
      'f820f0782bb33a66277fc13e9f0cf3c855ad5e8a05b8080b11850f296a3cf743',
    ],
    [
      Number.MAX_SAFE_INTEGER,
      PREVIOUS,
      DATA,
      '304d02071fffffffffffff04206da0633528deaa0144e7b058315f0b753ec0b945163a72bf96a0d18180f9de0d04203a6eb0790f39ac87c94f3856b2dd2c5d110e6811602261a9a923d3bb23adc8b7',
      'af8117e6f7a60c06e881178f00e0c82643a07a500127813747f21eaec2bebfdd',
    ],
  ])('header of block %d: the DER bytes and hash Go computes', (number, previous, data, bytes, hash) => {
    expect(hex(blockHeaderBytes(header(number, previous, data)))).toBe(bytes);
    expect(hex(blockHeaderHash(header(number, previous, data)))).toBe(hash);
  });

  it("data hash: SHA-256 of the block's envelopes concatenated in order (Fabric 3.x ComputeBlockDataHash)", () => {
    const block = testBlock(3, [
      { txId: 'a'.repeat(64), writes: [] },
      { txId: 'b'.repeat(64), writes: [] },
    ]);
    const envelopes = block.getData()?.getDataList_asU8() ?? [];
    expect(envelopes).toHaveLength(2);
    const expected = createHash('sha256')
      .update(Buffer.concat(envelopes.map((envelope) => Buffer.from(envelope))))
      .digest('hex');
    expect(hex(blockDataHash(block.getData()))).toBe(expected);
    // Order matters: the same envelopes swapped hash differently.
    const swapped = new common.BlockData();
    swapped.setDataList([...envelopes].reverse());
    expect(hex(blockDataHash(swapped))).not.toBe(expected);
    // An empty block hashes the empty string.
    expect(hex(blockDataHash(new common.BlockData()))).toBe(sha256('').toString('hex'));
  });
});
