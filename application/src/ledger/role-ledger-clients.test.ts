import type { Logger } from 'pino';
import { invalidatedTransaction } from './gateway-ledger-client';
import { LedgerError } from './ledger-error';
import { logRetry } from './role-ledger-clients';

type RetryLogger = Pick<Logger, 'info' | 'warn'>;

/** A logger that keeps what it was given, by level. */
function recordingLogger() {
  const lines: { level: 'info' | 'warn'; entry: object; message: string }[] = [];
  const logger = {
    info: (entry: object, message: string) => lines.push({ level: 'info', entry, message }),
    warn: (entry: object, message: string) => lines.push({ level: 'warn', entry, message }),
  };
  // Only the (object, message) form of pino's overloaded log functions is used by logRetry.
  return { lines, logger: logger as unknown as RetryLogger };
}

describe('logRetry', () => {
  it('logs a repeat after a read conflict at info, with the transaction, attempt and kind', () => {
    const { lines, logger } = recordingLogger();
    logRetry(logger, 'Batches:RecordBatch', 1, invalidatedTransaction('f'.repeat(64), 11));
    expect(lines).toEqual([
      {
        level: 'info',
        entry: {
          transaction: 'Batches:RecordBatch',
          attempt: 1,
          kind: 'conflict',
          err: { message: expect.stringMatching(/validation code 11/) as unknown },
        },
        message: 'ledger: repeating a submit after a read conflict',
      },
    ]);
  });

  it('logs a repeat after the ledger was unreachable or too slow at warn', () => {
    const { lines, logger } = recordingLogger();
    const deadline = new LedgerError('unavailable', 'the ledger is unreachable: 4 DEADLINE_EXCEEDED', {
      transient: true,
    });
    logRetry(logger, 'Batches:RecordBatch', 2, deadline);
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', 'ledger: repeating a submit after a transient failure'],
    ]);
    expect(lines[0]?.entry).toMatchObject({ attempt: 2, kind: 'unavailable' });
  });
});
