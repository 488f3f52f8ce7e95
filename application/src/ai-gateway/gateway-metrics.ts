import { Counter, Gauge, Registry } from 'prom-client';
import type { ConsentGate } from './consent-gate';
import type { RecordOutbox } from './record-outbox';

/** The gateway's own Prometheus metrics, served at its `/metrics`. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Calls by operation and outcome (`ok`, `error`, `refused`). */
  readonly calls: Counter<'operation' | 'outcome'>;
}

/**
 * Creates the registry; outbox depth and age and the event streams' state are read at each scrape.
 * `alsoServed` (the gateway process's own ledger-call and Node.js metrics) is served with them.
 */
export function createGatewayMetrics(
  outbox: RecordOutbox,
  consent: ConsentGate,
  channels: readonly string[],
  alsoServed: readonly Registry[] = [],
): GatewayMetrics {
  const registry = new Registry();
  const calls = new Counter({
    name: 'aal_gateway_calls_total',
    help: 'Model calls through the AI gateway, by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'aal_gateway_outbox_depth',
    help: 'Records in the outbox not yet on the ledger',
    registers: [registry],
    collect() {
      this.set(outbox.depth());
    },
  });
  new Gauge({
    name: 'aal_gateway_outbox_up',
    help: "1 while the outbox's worker thread can make records durable (0: every call is refused)",
    registers: [registry],
    collect() {
      this.set(outbox.unavailable() === undefined ? 1 : 0);
    },
  });
  new Counter({
    name: 'aal_gateway_outbox_append_commits_total',
    help: 'Outbox transactions (one fsync each) that appended records; fewer than calls when group commit works',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(outbox.appendCommits());
    },
  });
  new Gauge({
    name: 'aal_gateway_outbox_oldest_age_seconds',
    help: 'Age of the oldest record not yet on the ledger (0 when none)',
    registers: [registry],
    collect() {
      this.set(outbox.oldestAgeMs() / 1_000);
    },
  });
  new Gauge({
    name: 'aal_gateway_outbox_refused',
    help: 'Records the ledger refused for good, kept in the outbox for an operator',
    registers: [registry],
    collect() {
      this.set(outbox.refusedCount());
    },
  });
  new Gauge({
    name: 'aal_gateway_consent_events_up',
    help: "1 while the channel's chaincode event stream (consent cache invalidation) is connected",
    labelNames: ['channel'] as const,
    registers: [registry],
    collect() {
      for (const channel of channels) this.set({ channel }, consent.eventsUp(channel) ? 1 : 0);
    },
  });
  return { registry: alsoServed.length === 0 ? registry : Registry.merge([registry, ...alsoServed]), calls };
}
