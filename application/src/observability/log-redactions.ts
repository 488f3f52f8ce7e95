/**
 * Paths pino replaces with `[redacted]` in any log line. The app never logs bodies or headers in
 * the first place; this is the second line of defence should a future change log a request or
 * an error object that carries one.
 */
export const LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'body',
  '*.body',
  'identifier',
  '*.identifier',
  'prompt',
  '*.prompt',
  'output',
  '*.output',
] as const;
