import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ApiKeyStore } from '../auth/api-key-store';
import type { LedgerClient } from '../ledger/ledger-client';
import { OwnRecordIds } from '../records/own-record-ids';
import { OrgKeys } from '../subjects/org-keys';
import { SubjectKeys } from '../subjects/subject-keys';
import { ConsentGate } from './consent-gate';
import { createGatewayApp } from './gateway-app';
import { loadGatewayConfig } from './gateway-config';
import { createGatewayMetrics } from './gateway-metrics';
import { OutboxShipper } from './outbox-shipper';
import { RecordOutbox } from './record-outbox';

/** Where the gateway listens and keeps its files (AAL_AI_GATEWAY_*, see config.ts). */
export interface AiGatewaySettings {
  readonly host: string;
  readonly port: number;
  readonly configPath: string;
  readonly keyStorePath: string;
  readonly outboxPath: string;
  readonly bodyLimitBytes: number;
}

/** A running gateway. */
export interface RunningAiGateway {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting calls, then stops the shipper and the event streams and closes the outbox. */
  stop(): Promise<void>;
}

/**
 * Starts the org's AI gateway on its own port, in a process of its own (`ai-gateway-main.ts`): the
 * recorder ledger client records calls (record keys, consent checks, Merkle batches), the admin
 * client reads the org keys. `ledgerMetrics` is served with the gateway's metrics.
 */
export async function startAiGateway(options: {
  readonly settings: AiGatewaySettings;
  readonly mspId: string;
  readonly channels: readonly string[];
  readonly recorder: LedgerClient;
  readonly admin: LedgerClient;
  readonly logger: Logger;
  readonly ledgerMetrics?: Registry;
}): Promise<RunningAiGateway> {
  const { settings, logger } = options;
  const config = loadGatewayConfig(settings.configPath, options.channels);
  const keys = new ApiKeyStore(settings.keyStorePath);
  keys.check();
  const outbox = await RecordOutbox.open(settings.outboxPath, config.outbox.maxEntries);
  const shipper = new OutboxShipper(outbox, options.recorder, logger, { batchRecords: config.outbox.batchRecords });
  const consent = new ConsentGate(options.recorder, options.mspId, config.consent.cacheMs, logger);
  const channels = [
    ...new Set([config.defaults.channel, ...Object.values(config.applications).map((app) => app.channel)]),
  ];
  consent.start(channels);
  shipper.start();
  const app = createGatewayApp({
    config,
    ids: new OwnRecordIds(options.mspId),
    ledger: options.recorder,
    subjectKeys: new SubjectKeys(new OrgKeys(options.admin)),
    outbox,
    shipper,
    consent,
    metrics: createGatewayMetrics(
      outbox,
      consent,
      channels,
      options.ledgerMetrics === undefined ? [] : [options.ledgerMetrics],
    ),
    logger,
    keys,
    channels,
    bodyLimitBytes: settings.bodyLimitBytes,
  });
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(settings.port, settings.host, () => resolve(listening));
      listening.once('error', reject);
    });
  } catch (error) {
    // The outbox's worker thread would keep the process alive.
    consent.stop();
    await shipper.stop();
    await outbox.close();
    throw error;
  }
  const url = `http://${settings.host}:${settings.port}`;
  if (outbox.depth() > 0)
    logger.info({ depth: outbox.depth() }, 'ai gateway: resuming the outbox left by the last run');
  return {
    url,
    server,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      consent.stop();
      await shipper.stop();
      await outbox.close();
    },
  };
}
