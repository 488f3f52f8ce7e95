import type { RequestHandler } from 'express';
import { authenticatedCaller } from './authentication';
import { HttpProblem } from '../problem';
import type { TokenBuckets } from './token-bucket';

/**
 * Refuses a key's requests beyond its token bucket with 429 and `Retry-After`. Runs after
 * authentication: limits are per API key, so one busy client cannot starve the others.
 */
export function rateLimitPerKey(buckets: TokenBuckets): RequestHandler {
  return (req, _res, next) => {
    const result = buckets.take(authenticatedCaller(req).id);
    if (!result.allowed) {
      throw new HttpProblem(
        429,
        'Too many requests',
        `this API key is over its rate limit; retry in ${result.retryAfterSeconds}s`,
        {},
        { 'Retry-After': String(result.retryAfterSeconds) },
      );
    }
    next();
  };
}
