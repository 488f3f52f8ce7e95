import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError } from './errors';
import { findPostgresBinaries } from './postgres-binaries';
import { PostgresServer } from './postgres-server';
import { ProcessSupervisor } from './processes';
import { scramSha256Verifier } from './scram-verifier';

describe('PostgreSQL for the audit index', () => {
  it('names the package to install when the server binaries are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'aal-no-pg-'));
    try {
      let refusal: unknown;
      try {
        findPostgresBinaries({ AAL_POSTGRES_BIN_DIR: empty });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(NetworkError);
      expect((refusal as NetworkError).code).toBe('MISSING_TOOL');
      expect((refusal as NetworkError).message).toContain('apt-get install postgresql');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('stores a SCRAM-SHA-256 verifier, never the password', () => {
    const salt = Buffer.alloc(16, 7);
    const verifier = scramSha256Verifier('p4ssw0rd', salt);
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(verifier).toContain(`4096:${salt.toString('base64')}$`);
    expect(verifier).not.toContain('p4ssw0rd');
    expect(scramSha256Verifier('p4ssw0rd', salt)).toBe(verifier);
    expect(scramSha256Verifier('p4ssw0rd')).not.toBe(verifier);
  });

  it('refuses names it would have to quote in SQL', () => {
    const binaries = { initdb: 'initdb', postgres: 'postgres', pgIsReady: 'pg_isready', major: '15' };
    const options = {
      name: 'postgres.x',
      dataDir: '/tmp/x',
      port: 1,
      database: 'audit_index',
      role: 'app',
      passwordFile: '/tmp/x.pw',
      logFile: '/tmp/x.log',
    };
    const supervisor = new ProcessSupervisor('/tmp/x-pids');
    expect(() => new PostgresServer(binaries, supervisor, { ...options, role: "app'; DROP" })).toThrow(NetworkError);
    expect(() => new PostgresServer(binaries, supervisor, { ...options, database: 'Audit-Index' })).toThrow(
      /not a plain SQL name/,
    );
    expect(new PostgresServer(binaries, supervisor, options).url).toBe('postgres://app@127.0.0.1:1/audit_index');
  });
});
