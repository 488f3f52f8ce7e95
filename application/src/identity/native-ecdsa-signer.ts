import { hash, signers, type Hash, type Signer } from '@hyperledger/fabric-gateway';
import { sign, type KeyObject } from 'node:crypto';

/** P-256 group order n, and n / 2: Fabric accepts only signatures with s ≤ n / 2 ("low S"). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_ORDER = P256_ORDER >> 1n;

/**
 * A Fabric Gateway signer for a P-256 key that signs with Node's OpenSSL instead of the gateway's
 * pure-JavaScript default (`signers.newPrivateKeySigner`, `@noble/curves`), which was ~19 % of the
 * app's CPU when every request was its own transaction (docs/performance.md). Use it with
 * `hash: hash.none`: it receives the whole message and hashes it with SHA-256 itself, then returns
 * the DER signature with S normalised to the lower half of the group, as Fabric requires.
 *
 * @example
 * ```ts
 * connect({ client, identity, signer: newNativeEcdsaSigner(privateKey), hash: hash.none });
 * ```
 */
export function newNativeEcdsaSigner(key: KeyObject): (message: Uint8Array) => Promise<Uint8Array> {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the native signer supports P-256 EC private keys only');
  }
  return (message) => Promise.resolve(lowSDerSignature(sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' })));
}

/** A P-256 signature given as r ‖ s (32 bytes each), as DER with S in the lower half ((r, n − s) is as valid as (r, s)). */
export function lowSDerSignature(p1363: Uint8Array): Uint8Array {
  const raw = Buffer.from(p1363);
  const r = BigInt(`0x${raw.subarray(0, 32).toString('hex')}`);
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  return derSignature(r, s > HALF_ORDER ? P256_ORDER - s : s);
}

/** ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }`. */
export function derSignature(r: bigint, s: bigint): Uint8Array {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  // DER integers are signed: a leading byte with the high bit set needs a 0x00 in front.
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/**
 * How the gateway signs with `key`: natively for P-256 (the Fabric CA's default), else with the
 * gateway's own signer over a SHA-256 digest.
 */
export function gatewaySigning(key: KeyObject): { signer: Signer; hash: Hash } {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return { signer: newNativeEcdsaSigner(key), hash: hash.none };
  }
  return { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 };
}
