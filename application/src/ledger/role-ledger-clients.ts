import type * as grpc from '@grpc/grpc-js';
import type { Role } from '@aal/ledger-contract';
import type { GatewayProfile, RetryConfig } from '../config';
import { BatchingLedgerClient, type InteractionBatchingConfig } from './batching-ledger-client';
import type { AppMetrics } from '../observability/metrics';
import { GatewayLedgerClient } from './gateway-ledger-client';
import { InstrumentedLedgerClient } from './instrumented-ledger-client';
import type { LedgerClient } from './ledger-client';
import { RetryingLedgerClient } from './retrying-ledger-client';
import type { OrderingOutcomes } from '../readiness/ordering-outcomes';

/**
 * One ledger client per role of `roles` (a process holds the keys of the roles it signs as, no
 * more), each signing with the org's Fabric user of that role and all
 * sharing the app's single gRPC connection. Each is timed (metrics) and retries idempotent
 * submits; the retry wraps the timing, so every attempt is measured. Single-record interaction
 * submits are gathered into batch transactions outside the retry, so a retried batch stays whole.
 * Every submit attempt's ordering outcome goes to `ordering` (for /readyz).
 */
export function createRoleLedgerClients<R extends Role>(
  roles: readonly R[],
  profile: GatewayProfile,
  connection: grpc.Client,
  metrics: AppMetrics,
  retry: RetryConfig,
  batching: InteractionBatchingConfig,
  ordering?: OrderingOutcomes,
): Record<R, LedgerClient> {
  const clients = {} as Record<R, LedgerClient>;
  for (const role of roles) {
    const timed = new InstrumentedLedgerClient(new GatewayLedgerClient(profile, role, connection), metrics, ordering);
    const retrying = new RetryingLedgerClient(timed, retry, (transaction) =>
      metrics.ledgerRetries.inc({ transaction }),
    );
    clients[role] = new BatchingLedgerClient(
      retrying,
      batching,
      (channel, records) => metrics.interactionBatchRecords.observe({ channel }, records),
      (channel, records) => metrics.interactionBatchWaiting.set({ channel, role }, records),
    );
  }
  return clients;
}
