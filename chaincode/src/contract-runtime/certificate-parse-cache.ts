import { createRequire } from 'node:module';
import { MATCHED_SHIM_VERSION } from './string-parameters';

/**
 * The caller's certificate, parsed once per distinct certificate instead of once per call.
 *
 * For every transaction and query, fabric-contract-api builds the context's `ClientIdentity`, and
 * fabric-shim 2.5.8 parses the caller's PEM certificate for it with `@fidm/x509`, a pure-JavaScript
 * ASN.1 parser: about a tenth of a point read's CPU in the chaincode server (docs/performance.md).
 * A consortium's callers are a handful of app identities, so the same text is parsed over and over.
 *
 * The cache is keyed by the whole PEM text the shim passes, so an entry is only ever the parse of
 * exactly that text: a different certificate, or the same one differently encoded, is parsed
 * afresh. The shim only reads the parsed certificate (subject, issuer, extensions). The MSP id and
 * the certificate bytes the chaincode's access rules use come from the signed proposal, as before.
 * At most {@link CACHED_CERTIFICATES} parses are kept, least recently used dropped first; a text
 * that does not parse is not cached (each call throws or answers nothing, as before).
 */

/** Parsed certificates kept per chaincode server process. */
export const CACHED_CERTIFICATES = 256;

/** Where the installed class keeps `@fidm/x509`'s own `fromPEM` (installing twice wraps it once; tests use it). */
export const FIDM_FROM_PEM = Symbol.for('aal.fidmFromPem');

type FromPem = (data: unknown) => unknown;

/** `fromPEM` answering a string seen before with its earlier parse; anything else goes to `original`. */
export function cachedFromPem(original: FromPem, capacity = CACHED_CERTIFICATES): FromPem {
  const parsed = new Map<string, unknown>();
  return function fromPEM(data) {
    if (typeof data !== 'string') return original(data);
    const cached = parsed.get(data);
    if (cached !== undefined) {
      // Moved to the end: the Map's order is least recently used first.
      parsed.delete(data);
      parsed.set(data, cached);
      return cached;
    }
    const certificate = original(data);
    if (certificate === undefined) return certificate;
    parsed.set(data, certificate);
    if (parsed.size > capacity) parsed.delete(parsed.keys().next().value as string);
    return certificate;
  };
}

/**
 * Installs {@link cachedFromPem} on the `@fidm/x509` Certificate that fabric-shim uses, once per
 * process; a shim of another version is left as it is (correct, only slower). Returns whether the
 * cache is in place.
 */
export function installCertificateParseCache(): boolean {
  const shimRequire = createRequire(require.resolve('fabric-shim/package.json'));
  const { version } = shimRequire('./package.json') as { version: string };
  if (version !== MATCHED_SHIM_VERSION) return false;
  const { Certificate } = shimRequire('@fidm/x509') as { Certificate: Record<PropertyKey, unknown> };
  if (typeof Certificate.fromPEM !== 'function') return false;
  if (Certificate[FIDM_FROM_PEM] === undefined) {
    const original = (Certificate.fromPEM as FromPem).bind(Certificate);
    Certificate[FIDM_FROM_PEM] = original;
    Certificate.fromPEM = cachedFromPem(original);
  }
  return true;
}
