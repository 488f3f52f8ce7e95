import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROLES, HOSPITAL_A, NetworkLayout, PEER_ORGS } from '@aal/network';
import { interactionRequest, postInteraction, type RecordedInteraction } from '../support/interactions';
import { bearer, loadTestEnvironment, testNetworkOptions } from '../support/test-network';

const environment = loadTestEnvironment();
const layout = new NetworkLayout(testNetworkOptions());

describe("each app's own identities", () => {
  it('are enrolled from the org CA into an owner-only wallet on first start, one per role with its role attribute', () => {
    for (const org of PEER_ORGS) {
      const wallet = layout.appWallet(org);
      expect({ org: org.name, mode: statSync(wallet).mode & 0o777 }).toEqual({ org: org.name, mode: 0o700 });
      for (const role of APP_ROLES) {
        const certificateFile = join(wallet, role, 'cert.pem');
        const keyFile = join(wallet, role, 'key', 'key.pem');
        expect([statSync(certificateFile).mode & 0o777, statSync(keyFile).mode & 0o777]).toEqual([0o600, 0o600]);
        const certificate = new X509Certificate(readFileSync(certificateFile));
        expect(certificate.subject).toContain(`CN=app-${role}`);
        expect(certificate.raw.toString('latin1')).toContain(`"role":"${role}"`);
        expect(certificate.checkIssued(new X509Certificate(readFileSync(layout.caCert(org))))).toBe(true);
        // Its own enrollment, not a copy of the one the network made for operator tooling.
        const toolingCertificate = new X509Certificate(
          readFileSync(join(layout.appUserIdentity(org, role).msp, 'signcerts', 'cert.pem')),
        );
        expect(certificate.fingerprint256).not.toBe(toolingCertificate.fingerprint256);
      }
    }
  });

  it('are what the app signs with: the ledger names the wallet certificate as the creator', async () => {
    const app = environment.apps[HOSPITAL_A.name] ?? '';
    const id = `wallet-${Date.now()}`;
    const created = await postInteraction(
      app,
      'hospital-a',
      bearer(environment, HOSPITAL_A.name, 'recorder'),
      interactionRequest(id),
    );
    expect(created.status).toBe(201);
    const { transactionId } = (await created.json()) as RecordedInteraction;
    const proof = await fetch(`${app}/api/v1/channels/hospital-a/transactions/${transactionId}`, {
      headers: bearer(environment, HOSPITAL_A.name, 'auditor'),
    });
    expect(proof.status).toBe(200);
    const walletCertificate = new X509Certificate(
      readFileSync(join(layout.appWallet(HOSPITAL_A), 'recorder', 'cert.pem')),
    );
    expect(((await proof.json()) as { creatorCertificateSha256: string }).creatorCertificateSha256).toBe(
      walletCertificate.fingerprint256,
    );
  });
});
