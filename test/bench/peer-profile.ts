import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Records a Go CPU profile of a peer over `seconds` (its pprof listener, see NetworkOptions.profiling),
 * writes it to `<file>.pb.gz`, and returns `go tool pprof -top` of it — the functions where the
 * peer spent its CPU, flat and cumulative — written beside it as `<file>.top.txt`.
 */
export async function capturePeerProfile(pprofAddress: string, seconds: number, file: string): Promise<string> {
  const response = await fetch(`http://${pprofAddress}/debug/pprof/profile?seconds=${seconds}`, {
    signal: AbortSignal.timeout((seconds + 30) * 1000),
  });
  if (!response.ok) throw new Error(`pprof at ${pprofAddress} answered ${response.status}`);
  writeFileSync(`${file}.pb.gz`, Buffer.from(await response.arrayBuffer()));
  const cumulative = await run('go', ['tool', 'pprof', '-top', '-cum', '-nodecount=40', `${file}.pb.gz`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const flat = await run('go', ['tool', 'pprof', '-top', '-nodecount=40', `${file}.pb.gz`], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const top = `# by cumulative time\n${cumulative.stdout}\n# by flat (self) time\n${flat.stdout}`;
  writeFileSync(`${file}.top.txt`, top);
  return top;
}
