import { HTTP_LIMITS } from '@aal/ledger-contract';
import type { RequestHandler } from 'express';
import { HttpProblem } from '../problem';

/** Refuses a request target longer than the contract's limit with 414, before anything reads it. */
export const limitUrlLength: RequestHandler = (req, _res, next) => {
  if (Buffer.byteLength(req.originalUrl, 'utf8') > HTTP_LIMITS.urlBytes) {
    next(new HttpProblem(414, 'URI too long', `the request target is over ${HTTP_LIMITS.urlBytes} bytes`));
    return;
  }
  next();
};
