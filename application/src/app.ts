import express, { Router, type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { AuditIndex } from './audit-index/audit-index';
import type { AuditorReadLog } from './audit-log/auditor-read-log';
import type { ReadLogStatus } from './audit-log/read-log-anchorer';
import type { ApiKeyStore } from './auth/api-key-store';
import type { Role } from '@aal/ledger-contract';
import type { RateLimitConfig } from './config';
import type { LedgerClient } from './ledger/ledger-client';
import type { AppMetrics } from './observability/metrics';
import type { OrderingOutage } from './readiness/ordering-outcomes';
import { apiDocsRoutes } from './http/routes/api-docs-routes';
import { apiKeyRoutes } from './http/routes/api-key-routes';
import { authenticate } from './http/middleware/authentication';
import { openApiDocument } from './http/openapi';
import { operationsRoutes } from './http/routes/operations-routes';
import { problemHandler } from './http/middleware/problem-handler';
import { knownPathsOf, methodNotAllowed } from './http/middleware/method-not-allowed';
import { limitUrlLength } from './http/middleware/url-length';
import { HttpProblem } from './http/problem';
import { rateLimitPerKey } from './http/middleware/rate-limit';
import { observeRequests } from './http/middleware/request-observation';
import { API_BASE, mountRoutes, type AnyRouteDefinition } from './http/route';
import { TokenBuckets } from './http/middleware/token-bucket';
import { transactionRoutes } from './http/routes/transaction-routes';
import { artifactRoutes } from './http/routes/artifact-routes';
import { consentRoutes } from './http/routes/consent-routes';
import { eventRoutes } from './http/routes/event-routes';
import { subjectRoutes } from './http/routes/subject-routes';
import { auditRoutes } from './http/routes/audit-routes';
import { timeAnomalyRoutes } from './http/routes/time-anomaly-routes';
import { batchRoutes } from './http/routes/batch-routes';
import { interactionRoutes } from './http/routes/interaction-routes';
import { OrgKeys } from './subjects/org-keys';
import { SubjectKeys } from './subjects/subject-keys';
import { SubjectRegistry } from './subjects/subject-registry';

export interface AppDeps {
  readonly org: string;
  /** The org's MSP id: only the recording org holds a record's content keys. */
  readonly mspId: string;
  readonly channels: readonly string[];
  /** One ledger client per role, each signing with the org's Fabric user of that role. */
  readonly ledgers: Readonly<Record<Role, LedgerClient>>;
  readonly apiKeys: ApiKeyStore;
  readonly auditorReadLog: AuditorReadLog;
  /** The org's audit index, which the audit routes answer from (main.ts follows the peer's blocks into it). */
  readonly auditIndex: AuditIndex;
  /** The orgs whose auditors read every org's records (AAL_AUDITOR_ORGS, the same as the chaincode's). */
  readonly auditorOrgs: ReadonlySet<string>;
  /** The log's anchoring state for /readyz (main.ts: the ReadLogAnchorer's). */
  readonly readLogStatus?: () => ReadLogStatus;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  readonly rateLimit: RateLimitConfig;
  /** Why the org's chaincode server does not answer, or undefined (main.ts: a cached chaincodeCheck), for /readyz. */
  readonly chaincodeProblem?: () => Promise<string | undefined>;
  /** Channels whose ordering service refused the latest submits (main.ts: OrderingOutcomes), for /readyz. */
  readonly orderingOutages?: () => readonly OrderingOutage[];
  /** Aborted when the app shuts down: ends long-lived answers (event streams) so in-flight requests can finish. */
  readonly shutdown?: AbortSignal;
}

/** How long `/readyz` waits for the audit index's database to answer before calling it unavailable. */
const INDEX_DATABASE_PING_MS = 2_000;

/** The API version reported in the OpenAPI document. */
export const API_VERSION = '0.1.0';

/** Every REST operation the app serves. */
export function apiRoutes(
  deps: Pick<AppDeps, 'channels' | 'apiKeys' | 'ledgers' | 'shutdown' | 'mspId' | 'auditIndex' | 'auditorOrgs'>,
): AnyRouteDefinition[] {
  // Org keys are initialised with the admin identity, lazily, whichever request needs them first.
  const orgKeys = new OrgKeys(deps.ledgers.admin);
  const subjectKeys = new SubjectKeys(orgKeys);
  return [
    ...transactionRoutes(deps.channels),
    ...apiKeyRoutes(deps.apiKeys),
    ...subjectRoutes(deps.channels, new SubjectRegistry(orgKeys, deps.mspId), subjectKeys),
    ...consentRoutes({
      channels: deps.channels,
      mspId: deps.mspId,
      auditIndex: deps.auditIndex,
      auditorOrgs: deps.auditorOrgs,
    }),
    ...artifactRoutes(deps.channels, deps.mspId),
    ...eventRoutes(deps.channels, { shutdown: deps.shutdown }),
    ...interactionRoutes({
      channels: deps.channels,
      mspId: deps.mspId,
      subjectKeys,
      auditIndex: deps.auditIndex,
      auditorOrgs: deps.auditorOrgs,
    }),
    ...batchRoutes({
      channels: deps.channels,
      mspId: deps.mspId,
      subjectKeys,
      auditIndex: deps.auditIndex,
      auditorOrgs: deps.auditorOrgs,
    }),
    ...auditRoutes({
      channels: deps.channels,
      mspId: deps.mspId,
      auditIndex: deps.auditIndex,
      auditorOrgs: deps.auditorOrgs,
      subjectKeys,
    }),
    ...timeAnomalyRoutes({ channels: deps.channels, auditIndex: deps.auditIndex }),
  ];
}

/**
 * Builds the Express app from its dependencies; nothing here listens or touches the network.
 * Order of checks: request target length (414; request line and headers over the limit are 431
 * from the server) → a documented path asked with a method it does not answer (405 with `Allow`)
 * → on /api/v1: authenticate (401) → rate limit per key (429) → body size and JSON (413/400) →
 * role (403) → input schema (400) → handler (ledger errors → 4xx/503). Unknown paths: 404.
 */
export function createApp(deps: AppDeps): Express {
  const { org, channels, ledgers, apiKeys, auditorReadLog, metrics, logger } = deps;
  const routes = apiRoutes({
    channels,
    apiKeys,
    ledgers,
    shutdown: deps.shutdown,
    mspId: deps.mspId,
    auditIndex: deps.auditIndex,
    auditorOrgs: deps.auditorOrgs,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => {
        // Always our own id: a client-chosen one could smuggle an identifier into the logs.
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One line per request is written by observeRequests, with the route template only.
      autoLogging: false,
      quietReqLogger: true,
    }),
  );
  app.use(observeRequests(metrics));
  app.use(limitUrlLength);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });

  const document = openApiDocument(routes, { title: 'AI Audit Ledger', version: API_VERSION, org, channels });
  // A documented path asked with a method it does not answer: 405 with Allow, before any route or key check.
  app.use(methodNotAllowed(knownPathsOf(document)));
  app.use(
    operationsRoutes({
      org,
      ledger: ledgers.auditor,
      metrics,
      ...(deps.readLogStatus === undefined ? {} : { readLog: deps.readLogStatus }),
      auditIndexHalts: () => deps.auditIndex.haltedChannels(),
      auditIndexDatabaseProblem: () => deps.auditIndex.databaseProblem(INDEX_DATABASE_PING_MS),
      ...(deps.chaincodeProblem === undefined ? {} : { chaincodeProblem: deps.chaincodeProblem }),
      ...(deps.orderingOutages === undefined ? {} : { orderingOutages: deps.orderingOutages }),
    }),
  );
  app.use(apiDocsRoutes(document));

  const api = Router();
  api.use((_req, res, next) => {
    // Answers hold ledger records and, once, new API keys: no cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(authenticate(apiKeys));
  api.use(rateLimitPerKey(new TokenBuckets(deps.rateLimit)));
  api.use(express.json({ limit: deps.bodyLimitBytes }));
  mountRoutes(api, routes, { ledgers, auditorReadLog });
  app.use(API_BASE, api);

  app.use((req, _res, next) => {
    next(new HttpProblem(404, 'Not found', `no route for ${req.method} ${req.path}`));
  });
  app.use(problemHandler);
  return app;
}
