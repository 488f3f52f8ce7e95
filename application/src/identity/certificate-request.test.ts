import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { certificateRequestPem } from './certificate-request';

describe('certificateRequestPem', () => {
  it('builds a PKCS#10 request whose signature and subject openssl accepts', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const dir = mkdtempSync(join(tmpdir(), 'aal-csr-'));
    const file = join(dir, 'request.pem');
    try {
      writeFileSync(file, certificateRequestPem(privateKey, publicKey, 'app-recorder'));
      const text = execFileSync('openssl', ['req', '-in', file, '-noout', '-verify', '-subject'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(text).toMatch(/subject=CN\s*=\s*app-recorder/);
      const verify = execFileSync('openssl', ['req', '-in', file, '-noout', '-verify'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(verify + text).not.toMatch(/fail/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
