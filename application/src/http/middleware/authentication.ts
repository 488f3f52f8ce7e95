import type { Request, RequestHandler } from 'express';
import type { ApiKeyInfo, ApiKeyStore } from '../../auth/api-key-store';
import { HttpProblem } from '../problem';

const callers = new WeakMap<Request, ApiKeyInfo>();

const REALM = 'ai-audit-ledger';

/**
 * Requires `Authorization: Bearer <API key>` and remembers which key made the request. Missing
 * or unknown keys get 401 with `WWW-Authenticate` (RFC 6750); the answer does not say whether a
 * key exists but was revoked.
 */
export function authenticate(store: ApiKeyStore): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      throw new HttpProblem(
        401,
        'Unauthorized',
        'send an API key as `Authorization: Bearer <key>`',
        {},
        { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
      );
    }
    const match = /^Bearer +(\S+)\s*$/i.exec(header);
    const caller = match?.[1] === undefined ? undefined : store.authenticate(match[1]);
    if (caller === undefined) {
      throw new HttpProblem(
        401,
        'Unauthorized',
        'the API key is not valid',
        {},
        {
          'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token", error_description="the API key is not valid"`,
        },
      );
    }
    callers.set(req, caller);
    req.log?.setBindings({ apiKeyId: caller.id, role: caller.role });
    next();
  };
}

/** The key that authenticated this request; throws if {@link authenticate} did not run first (a wiring bug). */
export function authenticatedCaller(req: Request): ApiKeyInfo {
  const caller = callers.get(req);
  if (caller === undefined) throw new Error('authenticatedCaller: the route is not behind authenticate()');
  return caller;
}
