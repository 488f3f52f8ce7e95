import { createRequire } from 'node:module';
import { MATCHED_SHIM_VERSION } from './string-parameters';

/**
 * fabric-shim's log lines below the configured level, dropped before they are formatted.
 *
 * fabric-shim 2.5.8 logs through winston 3, which formats every message it is given — timestamp,
 * metadata, colours, padding, the shim's printf with `fast-safe-stringify` of each argument — and
 * only then lets the transport drop it for its level. The shim writes several debug lines for
 * every message it exchanges with the peer and two for every caller identity it builds, so at the
 * `warning` level the chaincode servers run at (network/src/chaincode-server-env.ts) a fifth of a
 * point read's CPU in the chaincode server went into formatting lines nobody sees
 * (docs/performance.md has the profile).
 *
 * The check is winston's own: `isLevelEnabled` answers, for the logger's level and its transports'
 * levels, exactly what the transports would decide after formatting, so every line that would have
 * been written still is, formatted as before.
 */

/** Where the installed prototype keeps winston's own `write` (installing twice wraps it once; tests use it). */
export const WINSTON_WRITE = Symbol.for('aal.winstonWrite');

/** winston's (triple-beam's) key of an entry's level. */
const LEVEL = Symbol.for('level');

/** What the wrapper needs of a winston logger: its level check. */
interface LevelCheckedLogger {
  isLevelEnabled(level: string): boolean;
}

type Write = (this: LevelCheckedLogger, chunk: unknown, encoding?: unknown, callback?: unknown) => boolean;

/** A winston log entry's level, when the written chunk is one. */
function entryLevel(chunk: unknown): string | undefined {
  if (typeof chunk !== 'object' || chunk === null) return undefined;
  const level = (chunk as Record<symbol, unknown>)[LEVEL];
  return typeof level === 'string' ? level : undefined;
}

/** `write` that drops an entry below the logger's level (acknowledging it, as a stream write does) and passes anything else to `original`. */
export function levelCheckedWrite(original: Write): Write {
  return function write(this: LevelCheckedLogger, chunk, encoding, callback) {
    const level = entryLevel(chunk);
    if (level !== undefined && !this.isLevelEnabled(level)) {
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    }
    return original.call(this, chunk, encoding, callback);
  };
}

/**
 * Installs {@link levelCheckedWrite} on the winston Logger that fabric-shim uses, once per process;
 * a shim of another version, or a winston without `isLevelEnabled`, is left as it is (correct, only
 * slower). Returns whether the check is in place.
 */
export function installShimLogLevelCheck(): boolean {
  const shimRequire = createRequire(require.resolve('fabric-shim/package.json'));
  const { version } = shimRequire('./package.json') as { version: string };
  if (version !== MATCHED_SHIM_VERSION) return false;
  const winston = shimRequire('winston') as { Logger?: { prototype: Record<PropertyKey, unknown> } };
  const prototype = winston.Logger?.prototype;
  if (
    prototype === undefined ||
    typeof prototype.isLevelEnabled !== 'function' ||
    typeof prototype.write !== 'function'
  )
    return false;
  if (prototype[WINSTON_WRITE] === undefined) {
    prototype[WINSTON_WRITE] = prototype.write;
    prototype.write = levelCheckedWrite(prototype.write as Write);
  }
  return true;
}
