import type { common } from '@hyperledger/fabric-protos';
import { createHash } from 'node:crypto';

/** DER length octets: short form below 128, else 0x80 | count followed by the big-endian length. */
function derLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return Uint8Array.from([0x80 | octets.length, ...octets]);
}

function derElement(tag: number, content: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.of(tag), derLength(content.length), content]);
}

/** A non-negative DER INTEGER: minimal big-endian two's complement (a leading 0x00 when the top bit is set). */
function derUnsignedInteger(value: bigint): Uint8Array {
  const octets: number[] = [];
  for (let rest = value; rest > 0n; rest >>= 8n) octets.unshift(Number(rest & 0xffn));
  if (octets.length === 0 || (octets[0] ?? 0) >= 0x80) octets.unshift(0);
  return derElement(0x02, Uint8Array.from(octets));
}

/**
 * The bytes Fabric hashes to name a block: `protoutil.BlockHeaderBytes`, Go's `asn1.Marshal` of
 * `struct { Number *big.Int; PreviousHash, DataHash []byte }` — a DER SEQUENCE of an INTEGER and
 * two OCTET STRINGs (an absent hash is an empty OCTET STRING, as Go marshals a nil slice).
 */
export function blockHeaderBytes(header: common.BlockHeader): Uint8Array {
  const content = Buffer.concat([
    derUnsignedInteger(BigInt(header.getNumber())),
    derElement(0x04, header.getPreviousHash_asU8()),
    derElement(0x04, header.getDataHash_asU8()),
  ]);
  return derElement(0x30, content);
}

/** Fabric's block hash (`protoutil.BlockHeaderHash`): SHA-256 of the header's DER bytes; the next block's `previous_hash`. */
export function blockHeaderHash(header: common.BlockHeader): Uint8Array {
  return createHash('sha256').update(blockHeaderBytes(header)).digest();
}

/** Fabric 3.x's `protoutil.ComputeBlockDataHash`: SHA-256 of the block's envelopes concatenated, in order. */
export function blockDataHash(data: common.BlockData | undefined): Uint8Array {
  const hash = createHash('sha256');
  for (const envelope of data?.getDataList_asU8() ?? []) hash.update(envelope);
  return hash.digest();
}
