import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) this summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

/** Where a function lives: a package under node_modules, Node itself, our code, or V8 (gc, idle, program). */
function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `(${functionName || 'anonymous'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node (runtime)';
  const workspace = /\/(chaincode|application|network|test)\/(dist|src)\//.exec(url);
  return workspace ? `ours: ${workspace[1] ?? ''}` : url;
}

/**
 * Self time of a Node CPU profile, by owner (package, Node runtime, our code, V8) and by function:
 * where a chaincode server or app spent its CPU. Idle time is left out of the percentages.
 */
export function summariseCpuProfile(file: string, top = 20): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const msPerHit = totalHits === 0 ? 0 : (profile.endTime - profile.startTime) / 1000 / totalHits;
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (hits === 0 || functionName === '(idle)') continue;
    busy += hits;
    const owner = ownerOf(url, functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + hits);
    const name = `${functionName || '(anonymous)'} ${url === '' ? '' : `${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(chaincode|application)\//, '$1/')}:${lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
  }
  const rows = (map: Map<string, number>): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, hits]) =>
          `${((hits / busy) * 100).toFixed(1).padStart(5)} %  ${((hits * msPerHit) / 1000).toFixed(1).padStart(7)} s  ${name}`,
      );
  return [
    `${file}: ${((busy * msPerHit) / 1000).toFixed(1)} s busy of ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`,
    '# self time by owner',
    ...rows(byOwner),
    '# self time by function',
    ...rows(byFunction),
  ].join('\n');
}

/**
 * Summaries of the `<pid>.cpuprofile` files in a directory (cpu-profile-preload.mjs) of the
 * processes in `names` (by PID), each headed by the process's name.
 */
export function summariseCpuProfiles(dir: string, names: ReadonlyMap<number, string>): string {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .flatMap((file) => {
      const name = names.get(Number(file.split('.')[0]));
      return name === undefined ? [] : [`## ${name}\n${summariseCpuProfile(join(dir, file))}`];
    })
    .sort()
    .join('\n\n');
}
