/**
 * Process entry point: read configuration, connect to the org's peer, serve HTTP on loopback, and
 * shut down gracefully (stop accepting, finish in-flight requests, close the gateway).
 */
import { pino } from 'pino';
import { exitOnStartFailure } from './process/start-failure';
import { exitAfterGrace, onStopSignal } from './process/stop-signals';
import { createApp } from './app';
import { createHttpServer } from './http/http-server';
import { AuditIndex } from './audit-index/audit-index';
import { followBlocks } from './audit-index/block-follower';
import { GatewayBlockSource } from './audit-index/gateway-block-source';
import { auditIndexStoreAt } from './audit-index/store-factory';
import { describeLocation } from './audit-index/store-location';
import { AuditorReadLog, AuditorReadLogError } from './audit-log/auditor-read-log';
import { ReadLogAnchorer } from './audit-log/read-log-anchorer';
import { ApiKeyStore, ApiKeyStoreError } from './auth/api-key-store';
import { ConfigError, loadConfig } from './config';
import { EnrollmentError } from './identity/fabric-ca-enrollment';
import { walletIdentities } from './identity/wallet';
import { connectToPeer } from './ledger/gateway-ledger-client';
import { createRoleLedgerClients } from './ledger/role-ledger-clients';
import { ROLES } from '@aal/ledger-contract';
import { createMetrics } from './observability/metrics';
import { CachedCheck } from './readiness/cached-check';
import { chaincodeCheck } from './readiness/chaincode-check';
import { OrderingOutcomes } from './readiness/ordering-outcomes';
import {
  CHAINCODE_CHECK_TTL_MS,
  ORDERING_REFUSAL_STALE_MS,
  SUBMITS_STALLED_AFTER_MS,
} from './readiness/readiness-timing';
import { LOG_REDACTIONS } from './observability/log-redactions';

const bootLogger = pino({ name: 'ai-audit-ledger' });

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({
    name: 'ai-audit-ledger',
    level: config.logLevel,
    redact: { paths: [...LOG_REDACTIONS], censor: '[redacted]' },
  });
  if (config.aiGateway !== undefined)
    logger.warn(
      { config: config.aiGateway.configPath },
      'AAL_AI_GATEWAY_CONFIG is set, but the REST app does not serve the AI gateway: it is a process of its own ' +
        '(application/dist/ai-gateway-main.js, started by the network tool and its systemd units; docs/gateway.md)',
    );
  const { profile, enrolled } = await walletIdentities(config.profile, config.walletDir);
  if (enrolled.length > 0)
    logger.info({ roles: enrolled, wallet: config.walletDir }, 'enrolled identities from the org CA into the wallet');
  const apiKeys = new ApiKeyStore(config.apiKeyStorePath);
  apiKeys.check();
  const auditorReadLog = new AuditorReadLog({
    path: config.auditorReadLogPath,
    keyPath: config.auditorReadLogKeyPath,
    name: config.readLogName,
  });
  if (auditorReadLog.opening.archivedUnkeyedLog !== undefined)
    logger.warn(
      { archivedAs: auditorReadLog.opening.archivedUnkeyedLog },
      'moved the auditor-read log of the earlier unkeyed format aside; a new keyed log starts',
    );
  if (auditorReadLog.opening.createdKey)
    logger.info({ key: auditorReadLog.keyPath }, 'created the auditor-read log key (keep it with the log)');
  const metrics = createMetrics(true);
  const connection = connectToPeer(profile);
  const ordering = new OrderingOutcomes({
    refusalStaleMs: ORDERING_REFUSAL_STALE_MS,
    stalledAfterMs: SUBMITS_STALLED_AFTER_MS,
  });
  const ledgers = createRoleLedgerClients(
    ROLES,
    profile,
    connection,
    metrics,
    config.retry,
    config.interactionBatching,
    { ordering, logger },
  );
  // One chaincode server serves every channel of the org: checking it on the first channel is enough.
  const probeChannel = profile.channels[0];
  const chaincode =
    probeChannel === undefined
      ? undefined
      : new CachedCheck(
          chaincodeCheck(ledgers.auditor, probeChannel, profile.mspId, config.readLogName),
          CHAINCODE_CHECK_TTL_MS,
        );
  // Auditor reads are refused (503) until the log has been compared with its ledger anchor.
  const readAnchoring = new ReadLogAnchorer({
    log: auditorReadLog,
    ledger: ledgers.admin,
    mspId: profile.mspId,
    channels: profile.channels,
    config: config.readAnchoring,
    logger,
    registry: metrics.registry,
  });
  readAnchoring.start();
  const shutdownController = new AbortController();
  // The audit index follows the org's peer's blocks on each channel from its checkpoint on. Its
  // database need not answer yet: the followers open it (migrations, checkpoints) once it does, and
  // until then index reads answer 503 and /readyz is not ready; the ledger routes work meanwhile.
  const auditIndex = AuditIndex.unopened(
    auditIndexStoreAt(config.auditIndex, {
      onConnectionError: (error) =>
        logger.warn({ err: { message: error.message } }, 'audit index: a database connection broke; reconnecting'),
    }),
    profile.chaincode,
    profile.channels,
  );
  const blockSource = new GatewayBlockSource(profile, 'auditor', connection);
  const followers = profile.channels.map((channel) =>
    followBlocks({
      index: auditIndex,
      source: blockSource,
      channel,
      logger,
      signal: shutdownController.signal,
      integrityFailures: metrics.auditIndexIntegrityFailures,
    }),
  );
  logger.info(
    { database: describeLocation(config.auditIndex) },
    'audit index: following blocks from the checkpoint once its database answers',
  );
  const app = createApp({
    org: profile.org,
    mspId: profile.mspId,
    channels: profile.channels,
    ledgers,
    apiKeys,
    auditorReadLog,
    auditIndex,
    auditorOrgs: new Set(config.auditorOrgs),
    readLogStatus: () => readAnchoring.status(),
    ...(chaincode === undefined ? {} : { chaincodeProblem: () => chaincode.current() }),
    orderingOutages: () => ordering.unavailable(),
    metrics,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    rateLimit: config.rateLimit,
    shutdown: shutdownController.signal,
  });
  const server = createHttpServer(app).listen(config.port, config.host, () => {
    logger.info({ org: profile.org, url: `http://${config.host}:${config.port}` }, 'listening');
  });
  server.keepAliveTimeout = config.keepAliveMs;
  // A request's headers may take as long as an idle connection may wait for them.
  server.headersTimeout = Math.max(server.headersTimeout, config.keepAliveMs + 1_000);
  server.on('error', (error) => {
    logger.fatal({ err: error }, 'cannot listen');
    process.exit(1);
  });
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    // Event streams never finish by themselves: end them so that server.close() can complete.
    shutdownController.abort();
    const idleCloser = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(idleCloser);
      // The reads answered so far are anchored before the ledger connection closes.
      void readAnchoring
        .stop(config.shutdownGraceMs / 2)
        .then(() => Promise.all(followers))
        .then(() => auditIndex.store.close())
        .finally(() => {
          blockSource.close();
          for (const ledger of Object.values(ledgers)) ledger.close();
          connection.close();
          logger.info('stopped');
          process.exit(0);
        });
    });
    // Idle keep-alive connections would hold close() open (until their keep-alive timeout, maybe beyond the
    // grace period); in-flight requests keep theirs until answered, and are closed once idle.
    server.closeIdleConnections();
    exitAfterGrace(logger, config.shutdownGraceMs, 'in-flight requests');
  };
  onStopSignal(shutdown);
}

// Problems an operator must fix before the process can start: their message, exit 2.
main().catch(exitOnStartFailure(bootLogger, [ConfigError, ApiKeyStoreError, AuditorReadLogError, EnrollmentError]));
