import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The app's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * every app instance — and every test — counts only its own traffic.
 */
export interface AppMetrics {
  readonly registry: Registry;
  /** HTTP requests by method, route template (never the concrete path: it may hold ids) and status. */
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** HTTP requests received and not yet answered (or closed): the app's saturation, and what a stop waits for. */
  readonly httpInFlight: Gauge;
  /** Ledger calls by kind (submit | evaluate), transaction name and outcome (ok or the error kind). */
  readonly ledgerDuration: Histogram<'operation' | 'transaction' | 'outcome'>;
  /** Refused or failed requests by status and problem type, and ledger failures by kind. */
  readonly errors: Counter<'source' | 'kind'>;
  /** Submits repeated after a transient failure. */
  readonly ledgerRetries: Counter<'transaction'>;
  /** Records per `RecordBatch` transaction formed from single-record requests. */
  readonly interactionBatchRecords: Histogram<'channel'>;
  /** Single-record requests waiting for their gathered transaction to be sent, per channel and signing role. */
  readonly interactionBatchWaiting: Gauge<'channel' | 'role'>;
  /** Blocks the audit index refused because they failed an integrity check (each stops the channel's ingestion). */
  readonly auditIndexIntegrityFailures: Counter<'channel'>;
}

/** Creates the metrics; `withProcessMetrics` adds Node's default process metrics (off in unit tests). */
export function createMetrics(withProcessMetrics = false): AppMetrics {
  const registry = new Registry();
  if (withProcessMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'aal_http_requests_total',
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'aal_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    httpInFlight: new Gauge({
      name: 'aal_http_requests_in_flight',
      help: 'HTTP requests received and not yet answered (this scrape included)',
      registers: [registry],
    }),
    ledgerDuration: new Histogram({
      name: 'aal_ledger_call_duration_seconds',
      help: 'Ledger submit/evaluate latency by transaction and outcome',
      labelNames: ['operation', 'transaction', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'aal_errors_total',
      help: 'Errors: refused HTTP requests by status (source=http) and failed ledger calls by kind (source=ledger)',
      labelNames: ['source', 'kind'],
      registers: [registry],
    }),
    ledgerRetries: new Counter({
      name: 'aal_ledger_submit_retries_total',
      help: 'Idempotent submits repeated after a transient failure',
      labelNames: ['transaction'],
      registers: [registry],
    }),
    interactionBatchRecords: new Histogram({
      name: 'aal_interaction_batch_records',
      help: 'Single-record interaction requests gathered per ledger transaction',
      labelNames: ['channel'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    interactionBatchWaiting: new Gauge({
      name: 'aal_interaction_batch_waiting_records',
      help: 'Single-record interaction requests waiting for a gathered ledger transaction (not yet sent; a request is refused with 503 beyond 8 x max records x max in flight)',
      labelNames: ['channel', 'role'],
      registers: [registry],
    }),
    auditIndexIntegrityFailures: new Counter({
      name: 'aal_audit_index_integrity_failures_total',
      help: 'Blocks the audit index refused because a hash-chain, data-hash or sequence check failed (ingestion of the channel stops)',
      labelNames: ['channel'],
      registers: [registry],
    }),
  };
}
