import { Router } from 'express';
import type { IngestionHalt } from '../../audit-index/audit-index';
import type { ReadLogStatus } from '../../audit-log/read-log-anchorer';
import type { LedgerClient } from '../../ledger/ledger-client';
import type { CheckOutcome } from '../../readiness/cached-check';
import type { OrderingOutage } from '../../readiness/ordering-outcomes';
import type { AppMetrics } from '../../observability/metrics';
import { HttpProblem } from '../problem';
import { setRouteTemplate } from '../middleware/route-template';

export interface OperationsRouteDeps {
  readonly org: string;
  readonly ledger: LedgerClient;
  readonly metrics: AppMetrics;
  /** The auditor-read log's state (reconciled with its ledger anchor, anchoring, gaps), reported by /readyz. */
  readonly readLog?: () => ReadLogStatus;
  /** The audit index's channels whose ingestion stopped on a block that failed an integrity check. */
  readonly auditIndexHalts?: () => readonly IngestionHalt[];
  /** Why the audit index's database does not answer now, or undefined when it does (AuditIndex.databaseProblem). */
  readonly auditIndexDatabaseProblem?: () => Promise<string | undefined>;
  /** Why the org's chaincode server does not answer, or undefined when it does (a cached CachedCheck). */
  readonly chaincodeProblem?: () => Promise<CheckOutcome>;
  /** Channels whose ordering service refused the app's latest submits (OrderingOutcomes.unavailable). */
  readonly orderingOutages?: () => readonly OrderingOutage[];
}

/**
 * `/healthz` (the process answers), `/readyz` (the org's peer answers, its chaincode server answers,
 * the ordering service took the latest submits, the auditor-read log takes
 * entries, with its anchoring state as detail, no channel's audit index has halted and the audit
 * index's database answers) and `/metrics`
 * (Prometheus). No API key: orchestrators and scrapers call them, and they reveal no records.
 */
export function operationsRoutes({
  org,
  ledger,
  metrics,
  readLog,
  auditIndexHalts,
  auditIndexDatabaseProblem,
  chaincodeProblem,
  orderingOutages,
}: OperationsRouteDeps): Router {
  const router = Router();
  router.get('/healthz', (req, res) => {
    setRouteTemplate(req, '/healthz');
    res.json({ status: 'ok', org });
  });
  // Details name the failing dependency only, never a gateway message or address: /readyz takes no key.
  router.get('/readyz', async (req, res) => {
    setRouteTemplate(req, '/readyz');
    if (!(await ledger.ready()))
      throw new HttpProblem(503, 'Ledger unavailable', "the org's peer does not answer", { dependency: 'peer' });
    const chaincode = await chaincodeProblem?.();
    if (chaincode !== undefined)
      // Writes need the org's own endorsement: they answer 503 until its chaincode server is back.
      throw new HttpProblem(503, 'Chaincode unavailable', chaincode, { dependency: 'chaincode' });
    const outages = orderingOutages?.() ?? [];
    if (outages.length > 0)
      throw new HttpProblem(
        503,
        'Ordering unavailable',
        outages
          .map((outage) =>
            outage.reason === 'refused'
              ? `the ordering service of ${outage.channel} has refused this app's submits since ${new Date(outage.since).toISOString()}`
              : `no submit of this app on ${outage.channel} has been ordered since ${new Date(outage.since).toISOString()} while submits wait (the other orgs’ peers or the orderers do not answer)`,
          )
          .join('; '),
        { dependency: 'ordering', ordering: { unavailable: outages.map((outage) => outage.channel) } },
      );
    const log = readLog?.();
    if (log !== undefined && !log.reconciled) {
      // Auditor reads are answered 503 until then: they could not be recorded.
      throw new HttpProblem(
        503,
        'Auditor-read log not ready',
        `the auditor-read log has not been compared with its ledger anchor yet${log.lastError === undefined ? '' : ` (${log.lastError})`}`,
        { readLog: log },
      );
    }
    const halts = auditIndexHalts?.() ?? [];
    if (halts.length > 0)
      throw new HttpProblem(
        503,
        'Audit index halted',
        halts
          .map(
            (halt) =>
              `the audit index of ${halt.channel} stopped at block ${halt.blockNumber} (${halt.check} check failed)`,
          )
          .join('; '),
        {
          auditIndex: {
            halted: halts.map((halt) => ({
              channel: halt.channel,
              blockNumber: String(halt.blockNumber),
              check: halt.check,
            })),
          },
        },
      );
    const databaseProblem = await auditIndexDatabaseProblem?.();
    if (databaseProblem !== undefined)
      // Only index reads are refused meanwhile; the ledger routes work (an orchestrator may still route writes here).
      throw new HttpProblem(503, 'Audit index unavailable', databaseProblem, {
        auditIndex: { database: 'unavailable' },
      });
    res.json({ status: 'ready', org, ...(log === undefined ? {} : { readLog: log }) });
  });
  router.get('/metrics', async (req, res) => {
    setRouteTemplate(req, '/metrics');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
