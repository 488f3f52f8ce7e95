import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Role } from '@aal/ledger-contract';
import type { GatewayProfile, RetryConfig } from '../config';
import { BatchingLedgerClient, type InteractionBatchingConfig } from './batching-ledger-client';
import type { AppMetrics } from '../observability/metrics';
import { GatewayLedgerClient } from './gateway-ledger-client';
import { InstrumentedLedgerClient } from './instrumented-ledger-client';
import type { LedgerClient } from './ledger-client';
import { RetryingLedgerClient } from './retrying-ledger-client';
import type { OrderingOutcomes } from '../readiness/ordering-outcomes';
import type { LedgerError } from './ledger-error';

/** Where a process's ledger clients report what an operator may want to see (all optional). */
export interface LedgerClientObservers {
  /** Every submit attempt's ordering outcome, for /readyz. */
  readonly ordering?: OrderingOutcomes;
  /** Each repeat of an idempotent submit after a transient failure, with why. */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Logs a submit about to be repeated: a read conflict at info (contention, expected under load),
 * anything else (the ledger unreachable or too slow: a deadline passed) at warn, since a repeat
 * after a 60 s commit-status deadline is a minute an operator may be asked about.
 */
export function logRetry(
  logger: Pick<Logger, 'info' | 'warn'>,
  transaction: string,
  attempt: number,
  error: LedgerError,
): void {
  const entry = { transaction, attempt, kind: error.kind, err: { message: error.message } };
  if (error.kind === 'conflict') logger.info(entry, 'ledger: repeating a submit after a read conflict');
  else logger.warn(entry, 'ledger: repeating a submit after a transient failure');
}

/**
 * One ledger client per role of `roles` (a process holds the keys of the roles it signs as, no
 * more), each signing with the org's Fabric user of that role and all
 * sharing the app's single gRPC connection. Each is timed (metrics) and retries idempotent
 * submits; the retry wraps the timing, so every attempt is measured. Single-record interaction
 * submits are gathered into batch transactions outside the retry, so a retried batch stays whole.
 * Every submit attempt's ordering outcome goes to `observers.ordering` (for /readyz), every repeat
 * to `observers.logger`.
 */
export function createRoleLedgerClients<R extends Role>(
  roles: readonly R[],
  profile: GatewayProfile,
  connection: grpc.Client,
  metrics: AppMetrics,
  retry: RetryConfig,
  batching: InteractionBatchingConfig,
  observers: LedgerClientObservers = {},
): Record<R, LedgerClient> {
  const { ordering, logger } = observers;
  const clients = {} as Record<R, LedgerClient>;
  for (const role of roles) {
    const timed = new InstrumentedLedgerClient(new GatewayLedgerClient(profile, role, connection), metrics, ordering);
    const retrying = new RetryingLedgerClient(timed, retry, (transaction, attempt, error) => {
      metrics.ledgerRetries.inc({ transaction });
      if (logger !== undefined) logRetry(logger, transaction, attempt, error);
    });
    clients[role] = new BatchingLedgerClient(
      retrying,
      batching,
      (channel, records) => metrics.interactionBatchRecords.observe({ channel }, records),
      (channel, records) => metrics.interactionBatchWaiting.set({ channel, role }, records),
    );
  }
  return clients;
}
