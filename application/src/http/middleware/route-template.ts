import type { Request } from 'express';

const templates = new WeakMap<Request, string>();

/** Label for requests no route matched: metrics must not use concrete paths (unbounded, may hold ids). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Records which route template (e.g. `/api/v1/channels/:channel/interactions/:id`) is serving the request. */
export function setRouteTemplate(req: Request, template: string): void {
  templates.set(req, template);
}

export function routeTemplateOf(req: Request): string {
  return templates.get(req) ?? UNMATCHED_ROUTE;
}
