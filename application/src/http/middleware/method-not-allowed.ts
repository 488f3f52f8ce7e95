import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem';

/** A path the app serves, as an OpenAPI template (`/api/v1/channels/{channel}`), with its methods. */
export interface KnownPath {
  readonly template: string;
  readonly methods: readonly string[];
}

interface CompiledPath {
  readonly pattern: RegExp;
  /** Per segment, 1 where the template has a parameter: concrete segments take precedence. */
  readonly rank: string;
  /** Upper case; HEAD comes with GET (Express serves it from the GET route). */
  readonly methods: ReadonlySet<string>;
}

function compile(path: KnownPath): CompiledPath {
  const segments = path.template.split('/');
  const pattern = segments
    .map((segment) => (/^\{[A-Za-z0-9_]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  const methods = new Set(path.methods.map((method) => method.toUpperCase()));
  if (methods.has('GET')) methods.add('HEAD');
  return {
    pattern: new RegExp(`^${pattern}/?$`),
    rank: segments.map((segment) => (segment.startsWith('{') ? '1' : '0')).join(''),
    methods,
  };
}

/**
 * Runs before the routes: a request on a path the app serves, with a method that path does not
 * answer, is refused 405 with `Allow` listing exactly the methods it answers. Where templates
 * overlap, OpenAPI's rule decides which path a request is on: concrete segments take precedence
 * over parameters (`…/interactions/batch` is POST only, not `…/interactions/{id}` with id `batch`).
 * Other requests go on, to their route or to the 404.
 */
export function methodNotAllowed(paths: readonly KnownPath[]): RequestHandler {
  const compiled = paths.map(compile);
  return (req, _res, next) => {
    const matching = compiled.filter((path) => path.pattern.test(req.path));
    if (matching.length === 0) {
      next();
      return;
    }
    const best = matching.reduce((rank, path) => (path.rank < rank ? path.rank : rank), matching[0]?.rank ?? '');
    const methods = new Set(matching.filter((path) => path.rank === best).flatMap((path) => [...path.methods]));
    if (methods.has(req.method)) {
      next();
      return;
    }
    const allow = [...methods].sort().join(', ');
    next(
      new HttpProblem(
        405,
        'Method not allowed',
        `${req.method} is not allowed here; allowed: ${allow}`,
        {},
        { Allow: allow },
      ),
    );
  };
}

/** The known paths of an OpenAPI document: every path template with the methods it documents. */
export function knownPathsOf(document: { readonly paths: Readonly<Record<string, object>> }): KnownPath[] {
  return Object.entries(document.paths).map(([template, operations]) => ({
    template,
    methods: Object.keys(operations),
  }));
}
