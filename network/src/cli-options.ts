import { parseArgs } from 'node:util';
import { parseOrdering, type OrderingType } from './ordering';

/** The command line: one command word, its optional name argument, and the flags. */
export interface CommandLine {
  readonly command: string | undefined;
  readonly name: string | undefined;
  readonly purge: boolean;
  readonly lines: number;
  readonly help: boolean;
  /** `--ordering raft|bft`: overrides AAL_ORDERING; undefined when not given. */
  readonly ordering: OrderingType | undefined;
}

/** Parses the arguments; throws (with the reason) on unknown flags, extra words or a bad `--lines`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      purge: { type: 'boolean', default: false },
      lines: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      ordering: { type: 'string' },
    },
  });
  const [command, name, ...extra] = positionals;
  if (extra.length > 0 || (name !== undefined && command !== 'logs')) {
    throw new Error(`unexpected argument '${extra[0] ?? name}'`);
  }
  const lines = values.lines === undefined ? 40 : Number(values.lines);
  if (!Number.isInteger(lines) || lines < 1)
    throw new Error(`--lines must be a positive whole number, got '${values.lines}'`);
  const ordering = values.ordering === undefined ? undefined : parseOrdering(values.ordering, '--ordering');
  return { command, name, purge: values.purge, lines, help: values.help, ordering };
}
