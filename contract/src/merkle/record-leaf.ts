import { sortedKeyJson, sortedKeyJsonOnce } from '../sorted-key-json';
import { leafHash, type Hash } from './merkle-tree';

/**
 * The leaf of a batched record: the UTF-8 bytes of the canonical JSON (keys sorted at every depth,
 * no whitespace) of the record exactly as the client submitted it and the chaincode validated it —
 * without anything the ledger adds (org, txId, txTime, consent verdict), which the batch itself
 * carries. A client can therefore compute every leaf, and the root, before it submits.
 *
 * @example
 * recordLeafBytes({ id: 'i-1', b: 1 }).toString() // '{"b":1,"id":"i-1"}'
 */
export function recordLeafBytes(record: unknown): Buffer {
  return Buffer.from(
    typeof record === 'object' && record !== null ? sortedKeyJsonOnce(record) : sortedKeyJson(record),
    'utf8',
  );
}

/** RFC 6962 leaf hash (SHA-256 of 0x00 ‖ leaf bytes) of a batched record. */
export function recordLeafHash(record: unknown): Hash {
  return leafHash(recordLeafBytes(record));
}
