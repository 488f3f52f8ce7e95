import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createApp } from '../app';
import { createHttpServer } from '../http/http-server';
import { AuditIndex } from '../audit-index/audit-index';
import { AuditIndexStore } from '../audit-index/index-store';
import { AuditorReadLog } from '../audit-log/auditor-read-log';
import { ApiKeyStore } from '../auth/api-key-store';
import { ROLES, type Role } from '@aal/ledger-contract';
import type { RateLimitConfig } from '../config';
import type { LedgerClient } from '../ledger/ledger-client';
import { createMetrics } from '../observability/metrics';
import { LOG_REDACTIONS } from '../observability/log-redactions';
import { FakeLedger } from './fake-ledger-client';

/** A running app on a loopback port with a fake ledger, a fresh key store and one key per role: unit tests only. */
export interface AppHarness {
  readonly url: string;
  readonly keys: Readonly<Record<Role, string>>;
  readonly ledger: FakeLedger;
  readonly store: ApiKeyStore;
  readonly auditorReadLogPath: string;
  readonly auditorReadLog: AuditorReadLog;
  readonly logLines: string[];
  /**
   * Resolves once the auditor-read log holds `count` entries (at most 5 s): a stream's closing
   * entry is appended after its answer ended, so a client can have read the last byte before it.
   */
  readLogHolds(count: number): Promise<void>;
  /** The app's audit index (in memory, fed by the test: no block follower runs). */
  readonly auditIndex: AuditIndex;
  request(
    method: string,
    path: string,
    options?: { key?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

export async function startAppHarness(
  options: {
    rateLimit?: RateLimitConfig;
    bodyLimitBytes?: number;
    auditorOrgs?: readonly string[];
    /** The app's audit index (default: an open, empty one in memory); the harness closes it. */
    auditIndex?: AuditIndex;
  } = {},
): Promise<AppHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'aal-app-'));
  const store = new ApiKeyStore(join(dir, 'api-keys.json'));
  const keys = Object.fromEntries(ROLES.map((role) => [role, store.create(`test-${role}`, role).key])) as Record<
    Role,
    string
  >;
  const ledger = new FakeLedger();
  const ledgers = Object.fromEntries(ROLES.map((role) => [role, ledger.clientFor(role)])) as Record<Role, LedgerClient>;
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const auditorReadLogPath = join(dir, 'auditor-reads.jsonl');
  // Never anchored: the fake ledger holds no anchor of it.
  const auditorReadLog = new AuditorReadLog({ path: auditorReadLogPath });
  await auditorReadLog.reconcile(undefined);
  const auditIndex =
    options.auditIndex ?? (await AuditIndex.over(await AuditIndexStore.open(':memory:'), 'audit', ['hospital-a']));
  const app = createApp({
    org: 'HospitalA',
    mspId: 'HospitalAMSP',
    channels: ['hospital-a'],
    ledgers,
    apiKeys: store,
    auditorReadLog,
    auditIndex,
    auditorOrgs: new Set(options.auditorOrgs ?? []),
    metrics: createMetrics(),
    logger: pino({ level: 'info', redact: { paths: [...LOG_REDACTIONS], censor: '[redacted]' } }, sink),
    bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
    rateLimit: options.rateLimit ?? { perSecond: 1000, burst: 1000 },
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = createHttpServer(app).listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    keys,
    ledger,
    store,
    auditorReadLogPath,
    auditorReadLog,
    logLines,
    auditIndex,
    readLogHolds: async (count) => {
      const deadline = Date.now() + 5000;
      while (auditorReadLog.position.seq < count && Date.now() < deadline) await sleep(10);
      await auditorReadLog.settled();
    },
    request: (method, path, { key, body, rawBody, headers = {} } = {}) =>
      fetch(`${url}${path}`, {
        method,
        headers: {
          ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
          ...(body === undefined && rawBody === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined && rawBody === undefined ? {} : { body: rawBody ?? JSON.stringify(body) }),
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A stream's closing entry is written after its answer ended.
      await auditorReadLog.settled();
      await auditIndex.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
