/**
 * Process entry point of an org's AI gateway (docs/gateway.md), beside the org's REST app
 * (`main.ts`): the same configuration, the app's enrolled wallet, a Fabric Gateway connection of its
 * own. In its own process the model calls' hot path shares its event loop with nothing else — not
 * the audit index's block ingestion, not the REST routes — and a crash of either process leaves the
 * other serving.
 */
import { pino } from 'pino';
import { exitOnStartFailure } from './process/start-failure';
import { exitAfterGrace, onStopSignal } from './process/stop-signals';
import { ApiKeyStoreError } from './auth/api-key-store';
import { startAiGateway } from './ai-gateway/ai-gateway';
import { ConfigError, loadConfig } from './config';
import { EnrollmentError } from './identity/fabric-ca-enrollment';
import { enrolledWalletIdentities } from './identity/wallet';
import { connectToPeer } from './ledger/gateway-ledger-client';
import { createRoleLedgerClients } from './ledger/role-ledger-clients';
import { LOG_REDACTIONS } from './observability/log-redactions';
import { createMetrics } from './observability/metrics';

const bootLogger = pino({ name: 'ai-audit-ledger-gateway' });
const GATEWAY_ROLES = ['recorder', 'admin'] as const;

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.aiGateway === undefined)
    throw new ConfigError(
      'invalid configuration:\n  AAL_AI_GATEWAY_CONFIG: must name the AI gateway configuration file to run the gateway',
    );
  const logger = pino({
    name: 'ai-audit-ledger-gateway',
    level: config.logLevel,
    redact: { paths: [...LOG_REDACTIONS], censor: '[redacted]' },
  });
  // It records calls (recorder) and reads the org keys (admin); it holds no other role's key.
  const profile = enrolledWalletIdentities(config.profile, config.walletDir, GATEWAY_ROLES);
  const metrics = createMetrics(true);
  const connection = connectToPeer(profile);
  const ledgers = createRoleLedgerClients(
    GATEWAY_ROLES,
    profile,
    connection,
    metrics,
    config.retry,
    config.interactionBatching,
    { logger },
  );
  const closeLedgers = (): void => {
    for (const ledger of Object.values(ledgers)) ledger.close();
    connection.close();
  };
  const gateway = await startAiGateway({
    settings: config.aiGateway,
    mspId: profile.mspId,
    channels: profile.channels,
    recorder: ledgers.recorder,
    admin: ledgers.admin,
    logger,
    ledgerMetrics: metrics.registry,
  }).catch((error: unknown) => {
    closeLedgers();
    throw error;
  });
  logger.info({ org: profile.org, url: gateway.url }, 'ai gateway listening');

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down: no new calls, finishing in-flight calls, then the outbox');
    // What the outbox holds stays there: the next start ships it.
    void gateway.stop().finally(() => {
      closeLedgers();
      logger.info('stopped');
      process.exit(0);
    });
    exitAfterGrace(logger, config.shutdownGraceMs, 'in-flight calls');
  };
  onStopSignal(shutdown);
}

// Problems an operator must fix before the process can start: their message, exit 2.
main().catch(exitOnStartFailure(bootLogger, [ConfigError, ApiKeyStoreError, EnrollmentError]));
