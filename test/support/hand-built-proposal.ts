import type { Contract, Gateway, Proposal, ProposalOptions } from '@hyperledger/fabric-gateway';
import { common, gateway as gatewayProtos, peer } from '@hyperledger/fabric-protos';
import { createHash, sign, type KeyObject } from 'node:crypto';

/**
 * Proposals built by hand, the way a member that bypasses its REST app (and any honest client
 * library) can: the gateway's offline-signing flow gives the unsigned proposal, the member rewrites
 * whatever the client controls — here the channel header's timestamp, which the chaincode reads as
 * the transaction's time — and signs the result with its own key.
 */

/** P-256 group order n, and n / 2: Fabric accepts only signatures with s ≤ n / 2 ("low S"). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/**
 * ECDSA P-256 signature over SHA-256(`message`), DER-encoded with S in the lower half of the group,
 * as Fabric requires. The test's own small signer (the app's is
 * `application/src/identity/native-ecdsa-signer.ts`): Node's OpenSSL hashes `message` itself, so
 * the value signed is exactly the digest {@link proposalDigest} computes.
 */
export function lowSEcdsaP256Signature(message: Uint8Array, privateKey: KeyObject): Uint8Array {
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('lowSEcdsaP256Signature signs with P-256 EC private keys only');
  }
  const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  const r = BigInt(`0x${raw.subarray(0, 32).toString('hex')}`);
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  // (r, n − s) is as valid as (r, s); Fabric rejects the high-S form to rule out malleability.
  const body = Buffer.concat([derInteger(r), derInteger(s > HALF_ORDER ? P256_ORDER - s : s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** ASN.1 DER INTEGER (at most 33 bytes here, so the short length form suffices). */
function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  // DER integers are signed: a leading byte with the high bit set needs a 0x00 in front.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** What a proposal's signature covers: SHA-256 of the serialized `Proposal` (the SignedProposal's `proposal_bytes`). */
export function proposalDigest(proposalBytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(proposalBytes).digest();
}

/**
 * Rewrites the channel header timestamp of an unsigned gateway proposal (`Proposal.getBytes()`, a
 * serialized `gateway.ProposedTransaction`): decodes SignedProposal → Proposal → Header →
 * ChannelHeader, sets the timestamp to `timestamp` (millisecond precision), re-encodes each layer
 * and drops any signature. The transaction id stays valid: Fabric derives it from the signature
 * header's nonce and creator, not from the timestamp.
 *
 * @returns the new `ProposedTransaction` bytes and the new `Proposal` bytes (what gets signed)
 */
export function withChannelHeaderTimestamp(
  proposedTransactionBytes: Uint8Array,
  timestamp: Date,
): { bytes: Uint8Array; proposalBytes: Uint8Array } {
  const proposed = gatewayProtos.ProposedTransaction.deserializeBinary(proposedTransactionBytes);
  const signedProposal = proposed.getProposal();
  if (signedProposal === undefined) throw new Error('the proposed transaction holds no signed proposal');
  const proposal = peer.Proposal.deserializeBinary(signedProposal.getProposalBytes_asU8());
  const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
  const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
  const stamp = channelHeader.getTimestamp();
  if (stamp === undefined) throw new Error('the channel header holds no timestamp');
  const millis = timestamp.getTime();
  stamp.setSeconds(Math.floor(millis / 1000));
  stamp.setNanos((millis - Math.floor(millis / 1000) * 1000) * 1_000_000);
  channelHeader.setTimestamp(stamp);
  header.setChannelHeader(channelHeader.serializeBinary());
  proposal.setHeader(header.serializeBinary());
  const proposalBytes = proposal.serializeBinary();
  signedProposal.setProposalBytes(proposalBytes);
  signedProposal.setSignature(new Uint8Array());
  proposed.setProposal(signedProposal);
  return { bytes: proposed.serializeBinary(), proposalBytes };
}

/** A proposal built and signed by hand, ready to `endorse()`. */
export interface HandBuiltProposal {
  /** The signed proposal, as the gateway would send it. */
  readonly proposal: Proposal;
  readonly transactionId: string;
  /** The timestamp written into the channel header (the transaction's `txTime` if it commits). */
  readonly timestamp: Date;
  /** SHA-256 of the re-encoded proposal: what the signature covers. */
  readonly digest: Uint8Array;
}

/**
 * Builds the proposal for `name` on `contract` with the channel header timestamp set to
 * `timestamp`, signs it with `privateKey` (which must be the key of `gateway`'s identity, the
 * proposal's creator) and loads it back into `gateway` (`newSignedProposal`). A mismatch between
 * this digest and the one the gateway itself would sign fails loudly rather than producing a
 * proposal the peers refuse for its signature.
 *
 * @example
 * const built = handBuiltProposal(gateway, contract, TRANSACTIONS.recordInteraction, { arguments: [json] }, new Date(Date.now() - 300_000), key);
 * await built.proposal.endorse(); // refused: the timestamp is 5 minutes behind each endorser's clock
 */
export function handBuiltProposal(
  gateway: Gateway,
  contract: Contract,
  name: string,
  options: ProposalOptions,
  timestamp: Date,
  privateKey: KeyObject,
): HandBuiltProposal {
  const unsigned = contract.newProposal(name, options);
  const { bytes, proposalBytes } = withChannelHeaderTimestamp(unsigned.getBytes(), timestamp);
  const digest = proposalDigest(proposalBytes);
  const asGatewaySees = gateway.newProposal(bytes);
  if (Buffer.compare(Buffer.from(asGatewaySees.getDigest()), Buffer.from(digest)) !== 0) {
    throw new Error('the gateway would sign another digest than SHA-256 of the proposal bytes (is its hash sha256?)');
  }
  const proposal = gateway.newSignedProposal(bytes, lowSEcdsaP256Signature(proposalBytes, privateKey));
  return { proposal, transactionId: proposal.getTransactionId(), timestamp, digest };
}
