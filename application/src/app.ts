import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { LedgerClient } from './ledger/ledger-client';
import { probeRoutes } from './http/probe-routes';
import { transactionRoutes } from './http/transaction-routes';
import { HttpProblem, problemHandler, sendProblem } from './http/problem';

export interface AppDeps {
  readonly org: string;
  readonly channels: readonly string[];
  readonly ledger: LedgerClient;
  readonly logger: Logger;
}

/** Largest JSON body accepted; bigger requests get 413 before any parsing work. */
export const BODY_LIMIT = '1mb';

/** Builds the Express app from its dependencies; nothing here listens or touches the network. */
export function createApp({ org, channels, ledger, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Bodies may carry identifiers or content: log method, path and status only.
      serializers: { req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split('?')[0] }) },
    }),
  );
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', org });
  });
  app.get('/readyz', async (_req, res) => {
    if (await ledger.ready()) {
      res.json({ status: 'ready', org });
      return;
    }
    sendProblem(res, new HttpProblem(503, 'Ledger unavailable', "the org's peer does not answer"), '/readyz');
  });

  app.use('/api/v1', probeRoutes({ channels, ledger }));
  app.use('/api/v1', transactionRoutes({ channels, ledger }));

  app.use((req, _res, next) => {
    next(new HttpProblem(404, 'Not found', `no route for ${req.method} ${req.path}`));
  });
  app.use(problemHandler);
  return app;
}
