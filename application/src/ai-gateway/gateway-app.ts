import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { ApiKeyStore } from '../auth/api-key-store';
import { sendProblem } from '../http/middleware/problem-handler';
import { HttpProblem, problemFromLedger } from '../http/problem';
import { LedgerError } from '../ledger/ledger-error';
import { handleModelCall, type ModelCallDeps } from './model-call';
import type { GatewayOperation } from './provider-answer';

/** What the gateway's HTTP surface needs. */
export interface GatewayAppDeps extends ModelCallDeps {
  /** Gateway keys: one per application, `name` = the applicationId (hashes only, like API keys). */
  readonly keys: ApiKeyStore;
  readonly channels: readonly string[];
  readonly bodyLimitBytes: number;
}

const APPLICATION = Symbol('applicationId');
type AuthenticatedRequest = Request & { [APPLICATION]?: string };

/** The application a request's gateway key names; 401 without a valid key. */
function authenticate(keys: ApiKeyStore) {
  return (req: AuthenticatedRequest, _res: Response, next: NextFunction): void => {
    const header = req.headers.authorization ?? '';
    const presented = /^Bearer (.+)$/.exec(header)?.[1];
    const info = presented === undefined ? undefined : keys.authenticate(presented);
    if (info === undefined) {
      next(
        new HttpProblem(
          401,
          'Unauthorized',
          'send a gateway key as Authorization: Bearer <key>',
          {},
          { 'WWW-Authenticate': 'Bearer' },
        ),
      );
      return;
    }
    req[APPLICATION] = info.name;
    next();
  };
}

/**
 * The OpenAI-compatible gateway: `/v1/chat/completions`, `/v1/responses`, `/v1/embeddings` (recorded)
 * and `/v1/models` (the routed models), behind gateway keys; `/healthz`, `/readyz` and `/metrics`
 * for operators. Gateway errors are problem+json; the provider's own errors pass through as sent.
 */
export function createGatewayApp(deps: GatewayAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('X-Request-Id', randomUUID());
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const unavailable = deps.outbox.unavailable();
    const ready = unavailable === undefined && !deps.outbox.full();
    const events = Object.fromEntries(deps.channels.map((channel) => [channel, deps.consent.eventsUp(channel)]));
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not ready',
      outbox: {
        up: unavailable === undefined,
        unavailable: unavailable ?? null,
        depth: deps.outbox.depth(),
        maxEntries: deps.outbox.maxEntries,
        oldestAgeMs: deps.outbox.oldestAgeMs(),
        refused: deps.outbox.refusedCount(),
        lastLedgerFailure: deps.shipper.lastFailure ?? null,
        batchInFlightMs: deps.shipper.batchInFlightMs() ?? null,
      },
      consentEvents: events,
    });
  });
  app.get('/metrics', (_req, res, next) => {
    deps.metrics.registry
      .metrics()
      .then((text) => res.type(deps.metrics.registry.contentType).send(text))
      .catch(next);
  });
  app.use('/v1', authenticate(deps.keys));
  app.get('/v1/models', (_req, res) => {
    res.json({
      object: 'list',
      data: Object.entries(deps.config.models).map(([id, provider]) => ({
        id,
        object: 'model',
        created: 0,
        owned_by: provider,
      })),
    });
  });
  const raw = express.raw({ type: () => true, limit: deps.bodyLimitBytes });
  const recorded: [string, GatewayOperation][] = [
    ['/v1/chat/completions', 'chat'],
    ['/v1/embeddings', 'embeddings'],
    ['/v1/responses', 'responses'],
  ];
  for (const [path, operation] of recorded)
    app.post(path, raw, (req: AuthenticatedRequest, res, next) => {
      handleModelCall(deps, operation, req[APPLICATION] ?? '', req, res).catch(next);
    });
  app.use((_req, _res, next) =>
    next(
      new HttpProblem(
        404,
        'Not found',
        'the gateway serves /v1/chat/completions, /v1/responses, /v1/embeddings and /v1/models',
      ),
    ),
  );
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const instance = req.originalUrl.split('?')[0];
    if (error instanceof HttpProblem) return sendProblem(res, error, instance);
    if (error instanceof LedgerError) return sendProblem(res, problemFromLedger(error), instance);
    const bodyError = error as { type?: string };
    if (bodyError.type === 'entity.too.large')
      return sendProblem(
        res,
        new HttpProblem(413, 'Payload too large', 'the request body is over the limit'),
        instance,
      );
    deps.logger.error(
      { err: { message: error instanceof Error ? error.message : String(error) } },
      'ai gateway: call failed',
    );
    return sendProblem(
      res,
      new HttpProblem(503, 'Gateway unavailable', 'the call could not be recorded; try again later'),
      instance,
    );
  });
  return app;
}
