import { crlSha256, revokedSerials } from './certificate-revocation-list';
import { ONE_REVOKED } from './certificate-revocation-list.fixture';

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
