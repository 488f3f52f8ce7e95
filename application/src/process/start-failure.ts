import type { Logger } from 'pino';

/** An error class whose message tells an operator what to fix (a bad setting, a missing file). */
type OperatorErrorClass = abstract new (...args: never[]) => Error;

/**
 * The end of a process entry point that could not start: an error of `operatorErrors` is a problem
 * the operator must fix, so its message alone is logged and the process exits 2, without a stack
 * trace; anything else is logged whole and the process exits 1.
 *
 * @example
 * main().catch(exitOnStartFailure(bootLogger, [ConfigError, EnrollmentError]));
 */
export function exitOnStartFailure(
  logger: Logger,
  operatorErrors: readonly OperatorErrorClass[],
): (error: unknown) => never {
  return (error) => {
    if (operatorErrors.some((errorClass) => error instanceof errorClass)) {
      logger.fatal((error as Error).message);
      process.exit(2);
    }
    logger.fatal({ err: error }, 'cannot start');
    process.exit(1);
  };
}
