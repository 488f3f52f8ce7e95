/**
 * Reading a certificate revocation list (X.509 CRL, RFC 5280 §5.1) far enough to say which
 * certificates it revokes: Node's crypto parses certificates but not CRLs. The CRL's signature is
 * not checked here; the peers' MSPs check it against the org's CA when they load the config.
 */
import { createHash } from 'node:crypto';

interface DerElement {
  readonly tag: number;
  /** Offset of the element's content in the buffer, and its length. */
  readonly start: number;
  readonly length: number;
}

/** Reads the DER element at `offset`: its tag, where its content starts and how long it is. */
function elementAt(der: Buffer, offset: number): DerElement & { readonly end: number } {
  const tag = der[offset];
  let lengthByte = der[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count < 1 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, length, end: start + length };
}

/** The elements inside a constructed element. */
function children(der: Buffer, parent: DerElement): DerElement[] {
  const found: DerElement[] = [];
  for (let offset = parent.start; offset < parent.start + parent.length;) {
    const element = elementAt(der, offset);
    found.push(element);
    offset = element.end;
  }
  return found;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;

/** The DER bytes of a PEM `X509 CRL` block; throws when there is none. */
export function crlDer(pem: string): Buffer {
  const match = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/.exec(pem);
  if (match?.[1] === undefined) throw new Error('not a PEM certificate revocation list (no X509 CRL block)');
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

/**
 * The serial numbers (lower-case hex, no leading zero byte) of the certificates a PEM CRL revokes,
 * in the CRL's order; empty when it revokes none.
 */
export function revokedSerials(pem: string): string[] {
  const der = crlDer(pem);
  const list = elementAt(der, 0);
  const tbs = list.tag === SEQUENCE ? children(der, list)[0] : undefined;
  if (tbs?.tag !== SEQUENCE) throw new Error('not a certificate revocation list (no TBSCertList)');
  const fields = children(der, tbs);
  // version (INTEGER, optional), signature (SEQUENCE), issuer (SEQUENCE), thisUpdate, nextUpdate
  // (optional), then revokedCertificates: the first SEQUENCE after the issuer.
  const afterVersion = fields[0]?.tag === INTEGER ? 1 : 0;
  const revoked = fields.slice(afterVersion + 2).find((field) => field.tag === SEQUENCE);
  if (revoked === undefined) return [];
  return children(der, revoked).map((entry) => {
    const serial = children(der, entry)[0];
    if (serial?.tag !== INTEGER) throw new Error('not a certificate revocation list (an entry has no serial number)');
    const bytes = der.subarray(serial.start, serial.start + serial.length);
    return (bytes[0] === 0 && bytes.length > 1 ? bytes.subarray(1) : bytes).toString('hex');
  });
}

/** SHA-256 (hex) of a CRL's PEM text: what a proposal's sidecar names. */
export function crlSha256(pem: string): string {
  return createHash('sha256').update(pem).digest('hex');
}
