import { Router } from 'express';
import type { LedgerClient } from '../ledger/ledger-client';
import type { AppMetrics } from '../observability/metrics';
import { HttpProblem } from './problem';
import { setRouteTemplate } from './route-template';

export interface OperationsRouteDeps {
  readonly org: string;
  readonly ledger: LedgerClient;
  readonly metrics: AppMetrics;
}

/**
 * `/healthz` (the process answers), `/readyz` (the org's peer answers) and `/metrics`
 * (Prometheus). No API key: orchestrators and scrapers call them, and they reveal no records.
 */
export function operationsRoutes({ org, ledger, metrics }: OperationsRouteDeps): Router {
  const router = Router();
  router.get('/healthz', (req, res) => {
    setRouteTemplate(req, '/healthz');
    res.json({ status: 'ok', org });
  });
  router.get('/readyz', async (req, res) => {
    setRouteTemplate(req, '/readyz');
    if (!(await ledger.ready())) throw new HttpProblem(503, 'Ledger unavailable', "the org's peer does not answer");
    res.json({ status: 'ready', org });
  });
  router.get('/metrics', async (req, res) => {
    setRouteTemplate(req, '/metrics');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
