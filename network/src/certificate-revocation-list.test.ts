import { crlSha256, revokedSerials } from './certificate-revocation-list';

/** A CRL as Fabric CA 1.5 generates it (`gencrl`), revoking one certificate. */
const ONE_REVOKED = `-----BEGIN X509 CRL-----
MIIBOzCB4gIBATAKBggqhkjOPQQDAjBlMQswCQYDVQQGEwJVUzEXMBUGA1UECBMO
Tm9ydGggQ2Fyb2xpbmExFDASBgNVBAoTC0h5cGVybGVkZ2VyMQ8wDQYDVQQLEwZG
YWJyaWMxFjAUBgNVBAMTDWNhLmhvc3BpdGFsLWEXDTI2MTEzMDExNTc0N1oXDTI2
MTIwMTExNTc0N1owJzAlAhRHYUk+pal0hXiN5iTsBBxNn312fBcNMjYxMTMwMTE1
NzQ3WqAjMCEwHwYDVR0jBBgwFoAU7pfQgJNNInbUWshxYoI9UXMViFcwCgYIKoZI
zj0EAwIDSAAwRQIhAIittQiusMkqGvJA0C0EzNLolwb20M8vrFl1Ntkv7Ff5AiA/
HwFYtAEsuTY8g7FLX/cLxMLuA+mjjdigd7Nh0ALh2g==
-----END X509 CRL-----
`;

describe('revokedSerials', () => {
  it('reads the serial numbers a CRL revokes', () => {
    expect(revokedSerials(ONE_REVOKED)).toEqual(['4761493ea5a97485788de624ec041c4d9f7d767c']);
  });

  it('refuses text that is not a PEM CRL', () => {
    expect(() => revokedSerials('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      'not a PEM certificate revocation list',
    );
    expect(() => revokedSerials('-----BEGIN X509 CRL-----\nAgEB\n-----END X509 CRL-----')).toThrow(
      'not a certificate revocation list',
    );
  });
});

describe('crlSha256', () => {
  it('is the SHA-256 of the PEM text', () => {
    expect(crlSha256(ONE_REVOKED)).toMatch(/^[0-9a-f]{64}$/);
    expect(crlSha256(ONE_REVOKED)).not.toBe(crlSha256(ONE_REVOKED.trim()));
  });
});
