import { createRequire } from 'node:module';
import { builtChaincode } from '../testing/built-chaincode';
import { AUDITOR_CERTIFICATE_PEM, RECORDER_CERTIFICATE_PEM } from '../testing/client-certificates.fixture';
import { FIDM_FROM_PEM, cachedFromPem, installCertificateParseCache } from './certificate-parse-cache';

// fabric-shim and @fidm/x509 are loaded as the shim loads them (the shim's own copy of the parser).
const shimRequire = createRequire(require.resolve('fabric-shim/package.json'));
const { Certificate } = shimRequire('@fidm/x509') as {
  Certificate: { fromPEM: (data: unknown) => unknown; [FIDM_FROM_PEM]?: (data: unknown) => unknown };
};
const { ClientIdentity } = shimRequire('./lib/chaincode.js') as {
  ClientIdentity: new (stub: unknown) => { mspId: string; id: string; attrs: Record<string, string> };
};

/** The stub ClientIdentity reads: channel and transaction (for its log prefix) and the proposal's creator. */
const stubOf = (pem: string, mspid = 'HospitalAMSP') => ({
  getChannelID: () => 'hospital-a',
  getTxID: () => 'tx-1',
  getCreator: () => ({ mspid, idBytes: Buffer.from(pem, 'utf8') }),
});

describe('certificate parse cache', () => {
  it('is installed when the chaincode loads, on the pinned fabric-shim', () => {
    builtChaincode();
    const installed = Certificate.fromPEM;
    expect(Certificate[FIDM_FROM_PEM]).toBeInstanceOf(Function);
    expect(installed).not.toBe(Certificate[FIDM_FROM_PEM]);
    // Installing again keeps one wrapper, not a chain of them.
    expect(installCertificateParseCache()).toBe(true);
    expect(Certificate.fromPEM).toBe(installed);
  });

  it("gives the shim's ClientIdentity what the uncached parser gives, for each certificate and every call", () => {
    builtChaincode();
    const original = Certificate[FIDM_FROM_PEM];
    if (original === undefined) throw new Error('not installed');
    for (const pem of [AUDITOR_CERTIFICATE_PEM, RECORDER_CERTIFICATE_PEM, AUDITOR_CERTIFICATE_PEM]) {
      const identity = new ClientIdentity(stubOf(pem));
      const installed = Certificate.fromPEM;
      Certificate.fromPEM = original;
      try {
        const uncached = new ClientIdentity(stubOf(pem));
        expect({ id: identity.id, attrs: identity.attrs, mspId: identity.mspId }).toEqual({
          id: uncached.id,
          attrs: uncached.attrs,
          mspId: uncached.mspId,
        });
      } finally {
        Certificate.fromPEM = installed;
      }
    }
    // The two certificates stay apart: one entry never answers for the other.
    expect(new ClientIdentity(stubOf(AUDITOR_CERTIFICATE_PEM)).attrs.role).toBe('auditor');
    expect(new ClientIdentity(stubOf(RECORDER_CERTIFICATE_PEM)).attrs.role).toBe('recorder');
    // The MSP id is the proposal's, never the cached certificate's.
    expect(new ClientIdentity(stubOf(AUDITOR_CERTIFICATE_PEM, 'RegulatorMSP')).mspId).toBe('RegulatorMSP');
  });

  it('parses a text once while it stays among the most recently used, and again once dropped', () => {
    const parses: string[] = [];
    const fromPem = cachedFromPem((data) => {
      parses.push(String(data));
      return { parsed: data };
    }, 2);
    const a = fromPem('a');
    expect(fromPem('a')).toBe(a);
    fromPem('b');
    fromPem('a'); // a is now the most recently used, b the least
    fromPem('c'); // drops b
    fromPem('a');
    fromPem('b');
    expect(parses).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep a text that fails to parse, and passes anything but a string to the parser', () => {
    let calls = 0;
    const fromPem = cachedFromPem((data) => {
      calls += 1;
      if (data === 'bad') throw new Error('Could not convert certificate from PEM');
      return { parsed: data };
    });
    expect(() => fromPem('bad')).toThrow('Could not convert');
    expect(() => fromPem('bad')).toThrow('Could not convert');
    const bytes = Buffer.from('x');
    fromPem(bytes);
    fromPem(bytes);
    expect(calls).toBe(4);
  });

  it('does not keep an empty answer (a text without a certificate)', () => {
    let calls = 0;
    const fromPem = cachedFromPem(() => {
      calls += 1;
      return undefined;
    }, 1);
    fromPem('no certificate here');
    fromPem('no certificate here');
    expect(calls).toBe(2);
  });
});
