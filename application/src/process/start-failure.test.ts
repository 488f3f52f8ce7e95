import { pino } from 'pino';
import { exitOnStartFailure } from './start-failure';

class SettingError extends Error {}

describe('exitOnStartFailure', () => {
  const lines: string[] = [];
  const logger = pino({ level: 'fatal' }, { write: (line: string) => lines.push(line) });
  let exit: jest.SpyInstance;
  beforeEach(() => {
    lines.length = 0;
    exit = jest.spyOn(process, 'exit').mockImplementation((code) => {
      throw new Error(`exit ${String(code)}`);
    });
  });
  afterEach(() => exit.mockRestore());

  it("exits 2 with only the message of an operator's problem", () => {
    expect(() => exitOnStartFailure(logger, [SettingError])(new SettingError('AAL_PORT: must be a number'))).toThrow(
      'exit 2',
    );
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 60, msg: 'AAL_PORT: must be a number' });
    expect(lines[0]).not.toContain('stack');
  });

  it('exits 1 with the whole error of anything else', () => {
    expect(() => exitOnStartFailure(logger, [SettingError])(new TypeError('boom'))).toThrow('exit 1');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ msg: 'cannot start', err: { message: 'boom' } });
    expect(lines[0]).toContain('stack');
  });
});
