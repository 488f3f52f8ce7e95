/**
 * Process entry point: read configuration, connect to the org's peer, serve HTTP on loopback, and
 * shut down gracefully (stop accepting, finish in-flight requests, close the gateway).
 */
import { pino } from 'pino';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { GatewayLedgerClient, connectToPeer } from './ledger/gateway-ledger-client';

const logger = pino({ name: 'ai-audit-ledger' });

function main(): void {
  const config = loadConfig();
  const { profile } = config;
  const grpcClient = connectToPeer(profile);
  const ledger = new GatewayLedgerClient(profile, 'recorder', grpcClient);
  const app = createApp({ org: profile.org, channels: profile.channels, ledger, logger });
  const server = app.listen(config.port, config.host, () => {
    logger.info({ org: profile.org, url: `http://${config.host}:${config.port}` }, 'listening');
  });

  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      ledger.close();
      grpcClient.close();
      process.exit(0);
    });
    // In-flight requests get a bounded time to finish.
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

try {
  main();
} catch (error) {
  if (error instanceof ConfigError) {
    logger.fatal(error.message);
    process.exit(2);
  }
  throw error;
}
