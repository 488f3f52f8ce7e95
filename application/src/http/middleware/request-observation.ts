import type { RequestHandler } from 'express';
import type { AppMetrics } from '../../observability/metrics';
import { routeTemplateOf } from './route-template';

/**
 * Counts and times every request by route template and status, counts refusals and the requests
 * in flight, and writes one log line per request. The line holds the request id, method, route
 * template, status and duration — never the concrete path, query, headers or body, which may carry ids, keys or content.
 */
export function observeRequests(metrics: AppMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    metrics.httpInFlight.inc();
    // 'close' follows 'finish', and also ends a request whose client went away before its answer.
    res.once('close', () => metrics.httpInFlight.dec());
    res.on('finish', () => {
      const route = routeTemplateOf(req);
      const status = String(res.statusCode);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { method: req.method, route, status };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, seconds);
      if (res.statusCode >= 400) metrics.errors.inc({ source: 'http', kind: status });
      req.log?.info(
        { method: req.method, route, status: res.statusCode, durationMs: Math.round(seconds * 1000) },
        'request completed',
      );
    });
    next();
  };
}
