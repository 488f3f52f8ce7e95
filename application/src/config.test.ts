import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  let dir: string;
  let profile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-config-'));
    profile = join(dir, 'gateway-profile.json');
    const identity = { certificate: 'c.pem', keyDir: 'k' };
    writeFileSync(
      profile,
      JSON.stringify({
        org: 'HospitalA',
        mspId: 'HospitalAMSP',
        peerEndpoint: '127.0.0.1:1',
        peerTlsRootCert: 'ca.pem',
        channels: ['hospital-a'],
        chaincode: 'audit',
        identities: { recorder: identity, 'consent-manager': identity, auditor: identity, admin: identity },
      }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies defaults and places the org files beside the gateway profile', () => {
    const config = loadConfig({ AAL_GATEWAY_PROFILE: profile });
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      apiKeyStorePath: join(dir, 'api-keys.json'),
      auditorReadLogPath: join(dir, 'auditor-reads.jsonl'),
      auditorReadLogKeyPath: join(dir, 'auditor-reads.jsonl.key'),
      readLogName: 'auditor-reads',
      readAnchoring: { everyEntries: 100, intervalMs: 60_000 },
      bodyLimitBytes: 1024 * 1024,
      rateLimit: { perSecond: 50, burst: 100 },
      retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 },
      interactionBatching: { maxRecords: 100, lingerMs: 10, maxInFlight: 8 },
      auditIndex: { backend: 'sqlite', path: join(dir, 'audit-index.sqlite') },
    });
    expect(loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_RATE_LIMIT_BURST: '5', AAL_PORT: '8080' })).toMatchObject({
      port: 8080,
      rateLimit: { burst: 5 },
    });
  });

  it('takes the auditor orgs from the gateway profile, AAL_AUDITOR_ORGS overriding them', () => {
    expect(loadConfig({ AAL_GATEWAY_PROFILE: profile }).auditorOrgs).toEqual([]);
    const written = JSON.parse(readFileSync(profile, 'utf8')) as Record<string, unknown>;
    writeFileSync(profile, JSON.stringify({ ...written, auditorOrgs: ['RegulatorMSP'] }));
    expect(loadConfig({ AAL_GATEWAY_PROFILE: profile }).auditorOrgs).toEqual(['RegulatorMSP']);
    expect(loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AUDITOR_ORGS: 'OtherMSP' }).auditorOrgs).toEqual([
      'OtherMSP',
    ]);
    expect(loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AUDITOR_ORGS: '' }).auditorOrgs).toEqual([]);
    writeFileSync(profile, JSON.stringify({ ...written, auditorOrgs: ['not an msp id'] }));
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: profile })).toThrow(/'auditorOrgs\.0': must be an MSP id/);
  });

  it('serves the AI gateway only when its configuration is named, on a port of its own', () => {
    expect(loadConfig({ AAL_GATEWAY_PROFILE: profile }).aiGateway).toBeUndefined();
    const gateway = join(dir, 'ai-gateway.json');
    expect(
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AI_GATEWAY_CONFIG: gateway, AAL_AI_GATEWAY_PORT: '8075' })
        .aiGateway,
    ).toEqual({
      host: '127.0.0.1',
      port: 8075,
      configPath: gateway,
      keyStorePath: join(dir, 'ai-gateway-keys.json'),
      outboxPath: join(dir, 'ai-gateway-outbox.sqlite'),
      bodyLimitBytes: 1024 * 1024,
    });
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AI_GATEWAY_CONFIG: gateway })).toThrow(
      /AAL_AI_GATEWAY_PORT: is required with AAL_AI_GATEWAY_CONFIG/,
    );
    expect(() =>
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AI_GATEWAY_CONFIG: gateway, AAL_AI_GATEWAY_PORT: '3000' }),
    ).toThrow(/must differ from AAL_PORT/);
    expect(() =>
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AI_GATEWAY_CONFIG: gateway, AAL_AI_GATEWAY_PORT: 'x' }),
    ).toThrow(ConfigError);
  });

  it('names the read log after its file unless told otherwise, and takes the anchoring cadence', () => {
    expect(
      loadConfig({
        AAL_GATEWAY_PROFILE: profile,
        AAL_AUDITOR_READ_LOG: join(dir, 'auditor-reads.second app.jsonl'),
        AAL_READ_ANCHOR_ENTRIES: '10',
        AAL_READ_ANCHOR_INTERVAL_MS: '5000',
      }),
    ).toMatchObject({
      auditorReadLogKeyPath: join(dir, 'auditor-reads.second app.jsonl.key'),
      readLogName: 'auditor-reads.second-app',
      readAnchoring: { everyEntries: 10, intervalMs: 5000 },
    });
    expect(
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_READ_LOG_NAME: 'bench', AAL_AUDITOR_READ_LOG_KEY: '/k' }),
    ).toMatchObject({ readLogName: 'bench', auditorReadLogKeyPath: '/k' });
    const attempt = () =>
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_READ_LOG_NAME: 'no spaces', AAL_READ_ANCHOR_INTERVAL_MS: '10' });
    expect(attempt).toThrow(/AAL_READ_LOG_NAME: must match/);
    expect(attempt).toThrow(/AAL_READ_ANCHOR_INTERVAL_MS: must be at least 1000/);
  });

  it('puts the audit index in PostgreSQL when AAL_AUDIT_INDEX_URL is set, with the password from an owner-only file', () => {
    const passwordFile = join(dir, 'db-password');
    writeFileSync(passwordFile, 'secret\n', { mode: 0o600 });
    chmodSync(passwordFile, 0o600);
    const url = 'postgres://aal_app@127.0.0.1:5432/audit_index';
    expect(
      loadConfig({
        AAL_GATEWAY_PROFILE: profile,
        AAL_AUDIT_INDEX_URL: url,
        AAL_AUDIT_INDEX_PASSWORD_FILE: passwordFile,
        AAL_AUDIT_INDEX_PATH: join(dir, 'ignored.sqlite'),
      }).auditIndex,
    ).toEqual({ backend: 'postgres', url, passwordFile });
    expect(
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_AUDIT_INDEX_PATH: join(dir, 'x.sqlite') }).auditIndex,
    ).toEqual({
      backend: 'sqlite',
      path: join(dir, 'x.sqlite'),
    });
    const refusal = (env: Record<string, string>): string => {
      try {
        loadConfig({ AAL_GATEWAY_PROFILE: profile, ...env });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    chmodSync(passwordFile, 0o640);
    expect(refusal({ AAL_AUDIT_INDEX_URL: url, AAL_AUDIT_INDEX_PASSWORD_FILE: passwordFile })).toMatch(
      /AAL_AUDIT_INDEX_PASSWORD_FILE: .* must be readable by its owner only/,
    );
    chmodSync(passwordFile, 0o600);
    expect(
      refusal({
        AAL_AUDIT_INDEX_URL: 'postgres://aal_app:inline-secret@127.0.0.1/audit_index',
        AAL_AUDIT_INDEX_PASSWORD_FILE: passwordFile,
      }),
    ).toMatch(/holds a password and AAL_AUDIT_INDEX_PASSWORD_FILE is set/);
    expect(refusal({ AAL_AUDIT_INDEX_PASSWORD_FILE: passwordFile })).toMatch(/needs AAL_AUDIT_INDEX_URL/);
    expect(refusal({ AAL_AUDIT_INDEX_URL: join(dir, 'missing') })).toMatch(/AAL_AUDIT_INDEX_URL: not a URL/);
    // What is wrong is named; the URL (which may hold a password) is not repeated.
    const wrong = refusal({ AAL_AUDIT_INDEX_URL: 'mysql://u:inline-secret@127.0.0.1/db' });
    expect(wrong).toMatch(/AAL_AUDIT_INDEX_URL: must start with postgres:\/\/ or postgresql:\/\//);
    expect(wrong).not.toContain('inline-secret');
    expect(refusal({ AAL_AUDIT_INDEX_URL: 'postgres://127.0.0.1/db' })).toMatch(
      /must name a user, a host and a database/,
    );
    expect(refusal({ AAL_AUDIT_INDEX_URL: 'postgres://u@127.0.0.1/db?sslmode=prefer' })).toMatch(
      /sslmode must be one of disable, verify-full/,
    );
  });

  it('names every wrong variable at once', () => {
    const attempt = () =>
      loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_PORT: 'eighty', AAL_HOST: '0.0.0.0', AAL_RATE_LIMIT_BURST: '0' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/AAL_HOST: must be a loopback address/);
    expect(attempt).toThrow(/AAL_PORT: must be a whole number/);
    expect(attempt).toThrow(/AAL_RATE_LIMIT_BURST: must be at least 1/);
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_INTERACTION_BATCH_MAX_RECORDS: '1001' })).toThrow(
      /AAL_INTERACTION_BATCH_MAX_RECORDS: must be at most 1000/,
    );
    expect(
      loadConfig({
        AAL_GATEWAY_PROFILE: profile,
        AAL_INTERACTION_BATCH_MAX_RECORDS: '1',
        AAL_INTERACTION_BATCH_LINGER_MS: '0',
        AAL_INTERACTION_BATCH_MAX_IN_FLIGHT: '1',
      }).interactionBatching,
    ).toEqual({ maxRecords: 1, lingerMs: 0, maxInFlight: 1 });
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: profile, AAL_INTERACTION_BATCH_MAX_IN_FLIGHT: '0' })).toThrow(
      /AAL_INTERACTION_BATCH_MAX_IN_FLIGHT: must be at least 1/,
    );
    expect(() => loadConfig({})).toThrow(/AAL_GATEWAY_PROFILE: must name the gateway profile/);
  });

  it('refuses a missing or incomplete gateway profile', () => {
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: join(dir, 'absent.json') })).toThrow(/no file at/);
    writeFileSync(profile, JSON.stringify({ org: 'HospitalA', channels: [], identities: {} }));
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: profile })).toThrow(/'channels': must list at least one channel/);
    expect(() => loadConfig({ AAL_GATEWAY_PROFILE: profile })).toThrow(/identity for each role/);
  });
});
