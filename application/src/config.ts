import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import {
  AUDITOR_ORGS_ENV,
  LIMITS,
  MSP_ID_PATTERN,
  READ_LOG_NAME_PATTERN,
  ROLES,
  parseAuditorOrgs,
} from '@aal/ledger-contract';
import { defaultReadLogName } from './audit-log/auditor-read-log';
import { postgresConnection } from './audit-index/postgres-dialect';
import type { AuditIndexLocation } from './audit-index/store-location';
import type { ReadAnchoringConfig } from './audit-log/read-log-anchorer';
import { defaultReadLogKeyPath } from './audit-log/read-log-key';
import type { InteractionBatchingConfig } from './ledger/batching-ledger-client';
import type { AiGatewaySettings } from './ai-gateway/ai-gateway';
import { ORG_FILES } from './org-files';

/** One application user: a Fabric identity with a `role` attribute, enrolled from the org's CA. */
export interface IdentityFiles {
  readonly certificate: string;
  readonly keyDir: string;
}

/** What the network writes for each org's application (see network/src/applications.ts). */
export interface GatewayProfile {
  readonly org: string;
  readonly mspId: string;
  readonly peerEndpoint: string;
  readonly peerTlsRootCert: string;
  readonly channels: readonly string[];
  readonly chaincode: string;
  readonly identities: Readonly<Record<string, IdentityFiles>>;
  /** How the app enrolls its own identities into its wallet on first start (see identity/wallet.ts). */
  readonly enrollment?: EnrollmentSettings;
  /**
   * Orgs (MSP ids) whose auditors read every org's records, as the network tells the chaincode
   * servers: the one place the app and the operator commands read it from ({@link AUDITOR_ORGS_ENV}
   * overrides it). Absent: none.
   */
  readonly auditorOrgs?: readonly string[];
}

/** The org's Fabric CA and the file (mode 0600) with the app users' enrollment ids and secrets. */
export interface EnrollmentSettings {
  readonly caUrl: string;
  readonly caName: string;
  readonly caTlsCert: string;
  readonly secretsFile: string;
}

/** Per-key token bucket: `perSecond` tokens refill each second, up to `burst`. */
export interface RateLimitConfig {
  readonly perSecond: number;
  readonly burst: number;
}

/** Bounded exponential backoff for idempotent submits that failed transiently. */
export interface RetryConfig {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly profile: GatewayProfile;
  readonly apiKeyStorePath: string;
  readonly auditorReadLogPath: string;
  /** The log's HMAC key (AAL_AUDITOR_READ_LOG_KEY, default `<log>.key`). */
  readonly auditorReadLogKeyPath: string;
  /** The log's name in its ledger anchors (AAL_READ_LOG_NAME, default the log's file name without `.jsonl`). */
  readonly readLogName: string;
  /** When the log is anchored on the ledger (AAL_READ_ANCHOR_ENTRIES, AAL_READ_ANCHOR_INTERVAL_MS). */
  readonly readAnchoring: ReadAnchoringConfig;
  /** The app's own enrolled identities (AAL_WALLET_DIR, default `<org dir>/app-wallet`). */
  readonly walletDir: string;
  readonly bodyLimitBytes: number;
  readonly rateLimit: RateLimitConfig;
  readonly retry: RetryConfig;
  readonly shutdownGraceMs: number;
  /**
   * How long an idle keep-alive connection stays open (AAL_HTTP_KEEP_ALIVE_MS). Longer than Node's 5 s so that
   * a client whose event loop was busy for a moment does not send its next request into a socket the server is
   * closing ("other side closed"); clients learn it from the `Keep-Alive` header and close theirs first.
   */
  readonly keepAliveMs: number;
  readonly logLevel: string;
  /**
   * The org's audit index: PostgreSQL at AAL_AUDIT_INDEX_URL (password in AAL_AUDIT_INDEX_PASSWORD_FILE),
   * else the SQLite file AAL_AUDIT_INDEX_PATH (default `<org dir>/audit-index.sqlite`).
   */
  readonly auditIndex: AuditIndexLocation;
  /** Orgs whose auditors read every org's records (AAL_AUDITOR_ORGS, else the gateway profile's `auditorOrgs`). */
  readonly auditorOrgs: readonly string[];
  /** Gathering of single-record interaction submits into batch transactions (see BatchingLedgerClient). */
  readonly interactionBatching: InteractionBatchingConfig;
  /**
   * The org's AI gateway (docs/gateway.md), served by its own process (`ai-gateway-main.ts`) when
   * AAL_AI_GATEWAY_CONFIG names its configuration file; listens on AAL_AI_GATEWAY_PORT.
   */
  readonly aiGateway: AiGatewaySettings | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((text) => Number(text))
    .pipe(
      z
        .number({ error: `must be a whole number between ${min} and ${max}` })
        .int(`must be a whole number between ${min} and ${max}`)
        .min(min, `must be at least ${min}`)
        .max(max, `must be at most ${max}`),
    );

/** Every variable the app reads; unset ones take the defaults documented in docs/api.md. */
const environmentSchema = z.object({
  AAL_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((host) => LOOPBACK.test(host), 'must be a loopback address: the app never listens on other interfaces'),
  AAL_PORT: integer(1, 65_535, 3000),
  AAL_GATEWAY_PROFILE: z
    .string({ error: 'must name the gateway profile JSON written by the network' })
    .min(1, 'must name the gateway profile JSON written by the network'),
  AAL_API_KEY_STORE: z.string().min(1).optional(),
  AAL_AUDITOR_READ_LOG: z.string().min(1).optional(),
  AAL_AUDITOR_READ_LOG_KEY: z.string().min(1).optional(),
  AAL_READ_LOG_NAME: z
    .string()
    .regex(READ_LOG_NAME_PATTERN, `must match ${READ_LOG_NAME_PATTERN.source}: one name per app instance of the org`)
    .optional(),
  AAL_READ_ANCHOR_ENTRIES: integer(1, 100_000, 100),
  AAL_READ_ANCHOR_INTERVAL_MS: integer(1_000, 3_600_000, 60_000),
  AAL_WALLET_DIR: z.string().min(1).optional(),
  AAL_AUDIT_INDEX_PATH: z.string().min(1).optional(),
  AAL_AUDIT_INDEX_URL: z
    .string()
    .optional()
    .superRefine((url, context) => {
      if (url === undefined) return;
      try {
        postgresConnection(url);
      } catch (error) {
        // The message says what is wrong without repeating the URL, which may hold a password.
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  AAL_AUDIT_INDEX_PASSWORD_FILE: z.string().min(1).optional(),
  [AUDITOR_ORGS_ENV]: z
    .string()
    .optional()
    .superRefine((value, context) => {
      try {
        parseAuditorOrgs(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
    }),
  AAL_BODY_LIMIT_BYTES: integer(1_024, 100 * 1024 * 1024, 1024 * 1024),
  AAL_RATE_LIMIT_PER_SECOND: integer(1, 100_000, 50),
  AAL_RATE_LIMIT_BURST: integer(1, 100_000, 100),
  AAL_SUBMIT_MAX_ATTEMPTS: integer(1, 10, 4),
  AAL_RETRY_BASE_DELAY_MS: integer(1, 10_000, 100),
  AAL_RETRY_MAX_DELAY_MS: integer(1, 60_000, 2_000),
  AAL_SHUTDOWN_GRACE_MS: integer(0, 120_000, 10_000),
  AAL_HTTP_KEEP_ALIVE_MS: integer(1_000, 600_000, 65_000),
  AAL_INTERACTION_BATCH_MAX_RECORDS: integer(1, LIMITS.merkleBatchRecords, 100),
  AAL_INTERACTION_BATCH_LINGER_MS: integer(0, 1_000, 10),
  AAL_INTERACTION_BATCH_MAX_IN_FLIGHT: integer(1, 64, 8),
  AAL_AI_GATEWAY_CONFIG: z.string().min(1).optional(),
  AAL_AI_GATEWAY_PORT: z
    .string()
    .optional()
    .transform((text) => (text === undefined ? undefined : Number(text)))
    .pipe(z.int('must be a whole number between 1 and 65535').min(1).max(65_535).optional()),
  AAL_AI_GATEWAY_KEY_STORE: z.string().min(1).optional(),
  AAL_AI_GATEWAY_OUTBOX: z.string().min(1).optional(),
  AAL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

const profileSchema = z.object({
  org: z.string().min(1),
  mspId: z.string().min(1),
  peerEndpoint: z.string().min(1),
  peerTlsRootCert: z.string().min(1),
  channels: z.array(z.string().min(1)).min(1, 'must list at least one channel'),
  chaincode: z.string().min(1),
  identities: z
    .record(z.string(), z.object({ certificate: z.string().min(1), keyDir: z.string().min(1) }))
    .refine(
      (identities) => ROLES.every((role) => role in identities),
      `must hold an identity for each role: ${ROLES.join(', ')}`,
    ),
  enrollment: z
    .object({
      caUrl: z.string().url(),
      caName: z.string().min(1),
      caTlsCert: z.string().min(1),
      secretsFile: z.string().min(1),
    })
    .optional(),
  auditorOrgs: z
    .array(z.string().regex(MSP_ID_PATTERN, `must be an MSP id matching ${MSP_ID_PATTERN.source}`))
    .optional(),
});

/**
 * Reads and checks the configuration once at start. Every problem is reported at once, each
 * naming the variable (or profile field) that is wrong, so an operator fixes them in one go.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      `invalid configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  }
  const vars = parsed.data;
  if (vars.AAL_RETRY_BASE_DELAY_MS > vars.AAL_RETRY_MAX_DELAY_MS) {
    throw new ConfigError('invalid configuration:\n  AAL_RETRY_BASE_DELAY_MS: must not exceed AAL_RETRY_MAX_DELAY_MS');
  }
  if (vars.AAL_AI_GATEWAY_CONFIG !== undefined && vars.AAL_AI_GATEWAY_PORT === undefined) {
    throw new ConfigError('invalid configuration:\n  AAL_AI_GATEWAY_PORT: is required with AAL_AI_GATEWAY_CONFIG');
  }
  if (vars.AAL_AI_GATEWAY_CONFIG !== undefined && vars.AAL_AI_GATEWAY_PORT === vars.AAL_PORT) {
    throw new ConfigError('invalid configuration:\n  AAL_AI_GATEWAY_PORT: must differ from AAL_PORT');
  }
  const profilePath = vars.AAL_GATEWAY_PROFILE;
  const profile = loadProfile(profilePath);
  // The org's files live beside its gateway profile (<network dir>/orgs/<org>/) unless told otherwise.
  const orgDir = dirname(profilePath);
  const readLogPath = vars.AAL_AUDITOR_READ_LOG ?? join(orgDir, 'auditor-reads.jsonl');
  return {
    host: vars.AAL_HOST,
    port: vars.AAL_PORT,
    profile,
    apiKeyStorePath: vars.AAL_API_KEY_STORE ?? join(orgDir, ORG_FILES.apiKeys),
    auditorReadLogPath: readLogPath,
    auditorReadLogKeyPath: vars.AAL_AUDITOR_READ_LOG_KEY ?? defaultReadLogKeyPath(readLogPath),
    readLogName: vars.AAL_READ_LOG_NAME ?? defaultReadLogName(readLogPath),
    readAnchoring: { everyEntries: vars.AAL_READ_ANCHOR_ENTRIES, intervalMs: vars.AAL_READ_ANCHOR_INTERVAL_MS },
    walletDir: vars.AAL_WALLET_DIR ?? join(orgDir, 'app-wallet'),
    auditIndex: auditIndexLocation(vars, orgDir),
    // The environment when set (a deployment without the network tool), else the gateway profile.
    auditorOrgs:
      vars[AUDITOR_ORGS_ENV] === undefined
        ? [...new Set(profile.auditorOrgs)]
        : parseAuditorOrgs(vars[AUDITOR_ORGS_ENV]),
    bodyLimitBytes: vars.AAL_BODY_LIMIT_BYTES,
    rateLimit: { perSecond: vars.AAL_RATE_LIMIT_PER_SECOND, burst: vars.AAL_RATE_LIMIT_BURST },
    retry: {
      maxAttempts: vars.AAL_SUBMIT_MAX_ATTEMPTS,
      baseDelayMs: vars.AAL_RETRY_BASE_DELAY_MS,
      maxDelayMs: vars.AAL_RETRY_MAX_DELAY_MS,
    },
    shutdownGraceMs: vars.AAL_SHUTDOWN_GRACE_MS,
    keepAliveMs: vars.AAL_HTTP_KEEP_ALIVE_MS,
    logLevel: vars.AAL_LOG_LEVEL,
    interactionBatching: {
      maxRecords: vars.AAL_INTERACTION_BATCH_MAX_RECORDS,
      lingerMs: vars.AAL_INTERACTION_BATCH_LINGER_MS,
      maxInFlight: vars.AAL_INTERACTION_BATCH_MAX_IN_FLIGHT,
    },
    aiGateway:
      vars.AAL_AI_GATEWAY_CONFIG === undefined
        ? undefined
        : {
            host: vars.AAL_HOST,
            port: vars.AAL_AI_GATEWAY_PORT ?? 0,
            configPath: vars.AAL_AI_GATEWAY_CONFIG,
            keyStorePath: vars.AAL_AI_GATEWAY_KEY_STORE ?? join(orgDir, ORG_FILES.aiGatewayKeys),
            outboxPath: vars.AAL_AI_GATEWAY_OUTBOX ?? join(orgDir, ORG_FILES.aiGatewayOutbox),
            bodyLimitBytes: vars.AAL_BODY_LIMIT_BYTES,
          },
  };
}

/** PostgreSQL when a URL is set (it wins over AAL_AUDIT_INDEX_PATH), else the SQLite file. */
function auditIndexLocation(
  vars: Pick<
    z.infer<typeof environmentSchema>,
    'AAL_AUDIT_INDEX_URL' | 'AAL_AUDIT_INDEX_PATH' | 'AAL_AUDIT_INDEX_PASSWORD_FILE'
  >,
  orgDir: string,
): AuditIndexLocation {
  const url = vars.AAL_AUDIT_INDEX_URL;
  const passwordFile = vars.AAL_AUDIT_INDEX_PASSWORD_FILE;
  if (url === undefined) {
    if (passwordFile !== undefined)
      throw new ConfigError('invalid configuration:\n  AAL_AUDIT_INDEX_PASSWORD_FILE: needs AAL_AUDIT_INDEX_URL');
    return { backend: 'sqlite', path: vars.AAL_AUDIT_INDEX_PATH ?? join(orgDir, 'audit-index.sqlite') };
  }
  if (passwordFile === undefined) return { backend: 'postgres', url };
  if (new URL(url).password !== '')
    throw new ConfigError(
      'invalid configuration:\n  AAL_AUDIT_INDEX_URL: holds a password and AAL_AUDIT_INDEX_PASSWORD_FILE is set; give one',
    );
  if (!existsSync(passwordFile))
    throw new ConfigError(`invalid configuration:\n  AAL_AUDIT_INDEX_PASSWORD_FILE: no file at ${passwordFile}`);
  if ((statSync(passwordFile).mode & 0o077) !== 0)
    throw new ConfigError(
      `invalid configuration:\n  AAL_AUDIT_INDEX_PASSWORD_FILE: ${passwordFile} must be readable by its owner only (chmod 600)`,
    );
  return { backend: 'postgres', url, passwordFile };
}

function loadProfile(profilePath: string): GatewayProfile {
  if (!existsSync(profilePath)) throw new ConfigError(`AAL_GATEWAY_PROFILE: no file at ${profilePath}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(profilePath, 'utf8'));
  } catch (error) {
    throw new ConfigError(`AAL_GATEWAY_PROFILE: ${profilePath} is not valid JSON (${String(error)})`);
  }
  const profile = profileSchema.safeParse(json);
  if (!profile.success) {
    const problems = profile.error.issues.map((issue) => `  '${issue.path.join('.')}': ${issue.message}`).join('\n');
    throw new ConfigError(`AAL_GATEWAY_PROFILE: ${profilePath} is not a usable gateway profile:\n${problems}`);
  }
  return profile.data;
}
