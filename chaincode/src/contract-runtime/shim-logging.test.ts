import { createRequire } from 'node:module';
import { builtChaincode } from '../testing/built-chaincode';
import { WINSTON_WRITE, installShimLogLevelCheck, levelCheckedWrite } from './shim-logging';

// fabric-shim's logger module and winston are loaded as the shim loads them (plain JavaScript).
const shimRequire = createRequire(require.resolve('fabric-shim/package.json'));
interface WinstonLogger {
  level: string;
  transports: { log: (info: unknown, next: () => void) => void }[];
  format: { transform: (info: unknown, options: unknown) => unknown };
  debug(message: string, ...meta: unknown[]): void;
  info(message: string, ...meta: unknown[]): void;
  warn(message: string, ...meta: unknown[]): void;
  error(message: string, ...meta: unknown[]): void;
  isLevelEnabled(level: string): boolean;
}
const winston = shimRequire('winston') as { Logger: { prototype: Record<PropertyKey, unknown> } };
const shimLogger = shimRequire('./lib/logger.js') as {
  getLogger(name: string): WinstonLogger;
  setLevel(level: string): void;
};
const LEVEL = Symbol.for('level');

/** Every line a shim logger formats and every line its transport receives, while `run` logs. */
function observe(logger: WinstonLogger, run: () => void): { formatted: string[]; written: string[] } {
  const formatted: string[] = [];
  const written: string[] = [];
  const transform = logger.format.transform.bind(logger.format);
  const format = jest.spyOn(logger.format, 'transform').mockImplementation((info, options) => {
    formatted.push((info as { message: string }).message);
    return transform(info, options);
  });
  const transport = logger.transports[0];
  if (transport === undefined) throw new Error('the shim logger has no transport');
  const log = jest.spyOn(transport, 'log').mockImplementation((info, next) => {
    // padLevels has aligned the message by then.
    written.push((info as { message: string }).message.trim());
    next();
  });
  try {
    run();
  } finally {
    format.mockRestore();
    log.mockRestore();
  }
  return { formatted, written };
}

describe("fabric-shim's log level check", () => {
  const levelBefore = process.env.CORE_CHAINCODE_LOGGING_LEVEL;
  afterEach(() => shimLogger.setLevel(levelBefore ?? 'error'));

  it('is installed when the chaincode loads, on the pinned fabric-shim', () => {
    builtChaincode();
    const installed = winston.Logger.prototype.write;
    expect(winston.Logger.prototype[WINSTON_WRITE]).toBeInstanceOf(Function);
    expect(installed).not.toBe(winston.Logger.prototype[WINSTON_WRITE]);
    expect(installShimLogLevelCheck()).toBe(true);
    expect(winston.Logger.prototype.write).toBe(installed);
  });

  it('formats no line below the level, and writes every line at or above it as before', () => {
    builtChaincode();
    // Taken before setting the level: the shim's getLogger re-reads the level it set as 'info'.
    const logger = shimLogger.getLogger('lib/handler');
    shimLogger.setLevel('WARNING');
    expect(logger.level).toBe('warn');
    const seen = observe(logger, () => {
      logger.debug('a debug line', { with: 'metadata' });
      logger.info('an info line');
      logger.warn('a warning', { code: 1 });
      logger.error('an error');
    });
    expect(seen.formatted).toEqual(['a warning', 'an error']);
    expect(seen.written).toEqual(['a warning', 'an error']);

    shimLogger.setLevel('DEBUG');
    const verbose = observe(logger, () => {
      logger.debug('a debug line');
      logger.info('an info line');
    });
    expect(verbose.written).toEqual(['a debug line', 'an info line']);
  });

  it('acknowledges a dropped line and passes anything that is not a log entry through', () => {
    const original = jest.fn(() => true);
    const write = levelCheckedWrite(original);
    const logger = { isLevelEnabled: (level: string) => level === 'warn' };
    const callback = jest.fn();
    expect(write.call(logger, { [LEVEL]: 'debug', message: 'x' }, callback)).toBe(true);
    expect(original).not.toHaveBeenCalled();
    const kept = { [LEVEL]: 'warn', message: 'y' };
    write.call(logger, kept, 'utf8', callback);
    write.call(logger, 'a plain chunk');
    expect(original.mock.calls).toEqual([
      [kept, 'utf8', callback],
      ['a plain chunk', undefined, undefined],
    ]);
    return new Promise<void>((resolve) =>
      process.nextTick(() => {
        expect(callback).toHaveBeenCalledTimes(1);
        resolve();
      }),
    );
  });
});
