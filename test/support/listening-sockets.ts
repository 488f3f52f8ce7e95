import { execFileSync } from 'node:child_process';

/** Local addresses of the host's listening TCP sockets (`ss -ltnH`), as `address:port`. */
export function listeningSockets(): Set<string> {
  const out = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' });
  return new Set(out.split('\n').flatMap((line) => (line.trim() === '' ? [] : [line.trim().split(/\s+/)[3] ?? ''])));
}
