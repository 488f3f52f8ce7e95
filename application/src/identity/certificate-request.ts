import { sign, type KeyObject } from 'node:crypto';

/**
 * A PKCS#10 certificate signing request (RFC 2986) for an EC P-256 key, subject `CN=<name>`, signed
 * with ECDSA-SHA256 — just what Fabric CA's enroll endpoint needs, built with a few DER helpers so
 * the app needs no X.509 library.
 *
 * @example
 * const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
 * const pem = certificateRequestPem(privateKey, publicKey, 'app-recorder');
 */
export function certificateRequestPem(privateKey: KeyObject, publicKey: KeyObject, commonName: string): string {
  const subject = sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName))));
  const info = sequence(
    integer0(),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    tagged(0xa0, Buffer.alloc(0)),
  );
  // node signs EC keys with a DER-encoded ECDSA-Sig-Value, as X.509 wants.
  const signature = sign('sha256', info, privateKey);
  const request = sequence(info, sequence(oid('1.2.840.10045.4.3.2')), bitString(signature));
  const lines = request.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tagged = (tag: number, content: Buffer): Buffer =>
  Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const sequence = (...items: Buffer[]): Buffer => tagged(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tagged(0x31, Buffer.concat(items));
const utf8String = (text: string): Buffer => tagged(0x0c, Buffer.from(text, 'utf8'));
const bitString = (bytes: Buffer): Buffer => tagged(0x03, Buffer.concat([Buffer.from([0]), bytes]));
const integer0 = (): Buffer => Buffer.from([0x02, 0x01, 0x00]);

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128: number[] = [];
    for (let value = arc; ; value = Math.floor(value / 128)) {
      base128.unshift((value % 128) | (base128.length > 0 ? 0x80 : 0));
      if (value < 128) break;
    }
    bytes.push(...base128);
  }
  return tagged(0x06, Buffer.from(bytes));
}
