import { parseCommandLine } from './cli-options';

describe('parseCommandLine', () => {
  it('reads the command, --purge and the defaults', () => {
    expect(parseCommandLine(['down', '--purge'])).toEqual({
      command: 'down',
      name: undefined,
      purge: true,
      lines: 40,
      help: false,
      ordering: undefined,
    });
    expect(parseCommandLine(['status'])).toEqual({
      command: 'status',
      name: undefined,
      purge: false,
      lines: 40,
      help: false,
      ordering: undefined,
    });
    expect(parseCommandLine([])).toEqual({
      command: undefined,
      name: undefined,
      purge: false,
      lines: 40,
      help: false,
      ordering: undefined,
    });
  });

  it('reads a log name and --lines in either order', () => {
    expect(parseCommandLine(['logs', 'peer0.hospital-a', '--lines', '5'])).toMatchObject({
      command: 'logs',
      name: 'peer0.hospital-a',
      lines: 5,
    });
    expect(parseCommandLine(['logs', '--lines=7', 'orderer0.orderer-org'])).toMatchObject({
      command: 'logs',
      name: 'orderer0.orderer-org',
      lines: 7,
    });
  });

  it('reads --ordering raft|bft and refuses any other ordering', () => {
    expect(parseCommandLine(['start', '--ordering', 'bft']).ordering).toBe('bft');
    expect(parseCommandLine(['up', '--ordering=raft']).ordering).toBe('raft');
    expect(() => parseCommandLine(['start', '--ordering', 'kafka'])).toThrow(
      "--ordering must be one of raft, bft, got 'kafka'",
    );
  });

  it('reads --help and -h', () => {
    expect(parseCommandLine(['--help']).help).toBe(true);
    expect(parseCommandLine(['-h']).help).toBe(true);
  });

  it('refuses unknown flags, stray words and a bad --lines', () => {
    expect(() => parseCommandLine(['down', '--purg'])).toThrow(/Unknown option '--purg'/);
    expect(() => parseCommandLine(['up', 'now'])).toThrow("unexpected argument 'now'");
    expect(() => parseCommandLine(['logs', 'a', 'b'])).toThrow("unexpected argument 'b'");
    expect(() => parseCommandLine(['logs', '--lines', 'ten'])).toThrow(
      "--lines must be a positive whole number, got 'ten'",
    );
    expect(() => parseCommandLine(['logs', '--lines', '0'])).toThrow('--lines must be a positive whole number');
  });
});
