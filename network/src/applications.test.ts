import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aiGatewayEnvironment } from './applications';
import { NetworkLayout } from './layout';
import { HOSPITAL_A } from './topology';

describe("the AI gateway process's environment", () => {
  const dir = mkdtempSync(join(tmpdir(), 'aal-gateway-env-'));
  const layout = new NetworkLayout({ dir, basePort: 20000, orderers: 3, purgeIntervalBlocks: 1 });
  beforeAll(() => mkdirSync(layout.orgDir(HOSPITAL_A), { recursive: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps the REST app's own settings from the shell out, the database password among them", () => {
    const env = aiGatewayEnvironment(layout, HOSPITAL_A, {
      PATH: '/usr/bin',
      AAL_LOG_LEVEL: 'debug',
      AAL_AUDIT_INDEX_URL: 'postgres://app:s3cret@127.0.0.1:5432/audit',
      AAL_AUDIT_INDEX_PASSWORD_FILE: '/somewhere/password',
      AAL_AUDIT_INDEX_PATH: '/somewhere/index.sqlite',
      AAL_API_KEY_STORE: '/somewhere/api-keys.json',
      AAL_AUDITOR_READ_LOG: '/somewhere/reads.jsonl',
      AAL_AUDITOR_READ_LOG_KEY: '/somewhere/reads.key',
      AAL_READ_LOG_NAME: 'reads',
      AAL_READ_ANCHOR_ENTRIES: '10',
      AAL_AUDITOR_ORGS: 'HospitalAMSP',
      AAL_AI_GATEWAY_PORT: '1',
    });
    expect(
      Object.keys(env)
        .filter((name) => name.startsWith('AAL_'))
        .sort(),
    ).toEqual(
      [
        'AAL_AI_GATEWAY_CONFIG',
        'AAL_AI_GATEWAY_KEY_STORE',
        'AAL_AI_GATEWAY_PORT',
        'AAL_GATEWAY_PROFILE',
        'AAL_HOST',
        'AAL_LOG_LEVEL',
        'AAL_PORT',
        'AAL_WALLET_DIR',
      ].sort(),
    );
    expect(JSON.stringify(env)).not.toContain('s3cret');
    // The network's values, not the shell's: the gateway's own port, the app's address and wallet.
    expect(env.AAL_AI_GATEWAY_PORT).toBe(String(layout.aiGateway(HOSPITAL_A).port));
    expect(env.AAL_PORT).toBe(String(layout.application(HOSPITAL_A).port));
    expect(env.AAL_WALLET_DIR).toBe(layout.appWallet(HOSPITAL_A));
    expect(env.AAL_LOG_LEVEL).toBe('debug');
    expect(env.PATH).toBe('/usr/bin');
  });
});
