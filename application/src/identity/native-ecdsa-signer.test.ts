import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { hash } from '@hyperledger/fabric-gateway';
import { derSignature, gatewaySigning, lowSDerSignature, newNativeEcdsaSigner } from './native-ecdsa-signer';

const HALF_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n >> 1n;

/** r and s of a DER signature. */
function parts(der: Uint8Array): { r: bigint; s: bigint } {
  const bytes = Buffer.from(der);
  const rLength = bytes[3] ?? 0;
  const r = bytes.subarray(4, 4 + rLength);
  const s = bytes.subarray(6 + rLength);
  return { r: BigInt(`0x${r.toString('hex')}`), s: BigInt(`0x${s.toString('hex')}`) };
}

describe('newNativeEcdsaSigner', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = newNativeEcdsaSigner(privateKey);

  it('signs SHA-256 of the message with low S (as Fabric requires), verifiable with the public key', async () => {
    for (let i = 0; i < 64; i++) {
      const message = Buffer.from(`proposal ${i}`);
      const signature = await signer(message);
      expect(verify('sha256', message, publicKey, Buffer.from(signature))).toBe(true);
      expect(parts(signature).s <= HALF_ORDER).toBe(true);
      expect(parts(signature).r > 0n).toBe(true);
    }
  });

  it('turns a high-S signature into the equivalent low-S one, which still verifies', () => {
    let highS = 0;
    for (let i = 0; i < 64; i++) {
      const message = Buffer.from(`message ${i}`);
      const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      if (BigInt(`0x${raw.subarray(32).toString('hex')}`) <= HALF_ORDER) continue;
      highS += 1;
      const normalised = lowSDerSignature(raw);
      expect(parts(normalised).s <= HALF_ORDER).toBe(true);
      expect(parts(normalised).r).toBe(BigInt(`0x${raw.subarray(0, 32).toString('hex')}`));
      expect(verify('sha256', message, publicKey, Buffer.from(normalised))).toBe(true);
    }
    // OpenSSL gives high S about half the time: the branch ran (failing here would be a 1-in-2^64 fluke).
    expect(highS).toBeGreaterThan(0);
  });

  it('encodes integers the DER way: minimal, with a leading zero when the high bit is set', () => {
    expect(Buffer.from(derSignature(1n, 0x80n)).toString('hex')).toBe('300702010102020080');
    expect(Buffer.from(derSignature(0x7fn, 0x0100n)).toString('hex')).toBe('300702017f02020100');
  });

  it('refuses keys other than P-256', () => {
    const { privateKey: p384 } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => newNativeEcdsaSigner(p384)).toThrow(/P-256/);
  });
});

describe('gatewaySigning', () => {
  it('signs P-256 keys natively over the whole message, other keys with the gateway signer over a SHA-256 digest', async () => {
    const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const native = gatewaySigning(p256.privateKey);
    expect(native.hash).toBe(hash.none);
    const message = Buffer.from('transaction');
    expect(verify('sha256', message, p256.publicKey, Buffer.from(await native.signer(native.hash(message))))).toBe(
      true,
    );
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(gatewaySigning(p384.privateKey).hash).toBe(hash.sha256);
  });
});
