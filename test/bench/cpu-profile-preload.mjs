// Preloaded (NODE_OPTIONS=--import) into the network's Node processes by `npm run bench -- --profile`.
// Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts V8's sampling profiler through the
// inspector and writes `<pid>.cpuprofile` into AAL_CPU_PROFILE_DIR when the process exits. A stop
// signal that nothing else handles (the chaincode servers) becomes a normal exit, so it is written
// then too; a process with its own handler (the apps) exits its own way.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.AAL_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  // A same-thread inspector session answers synchronously, as an exit handler must.
  process.on('exit', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.once(signal, () => {
      if (process.listenerCount(signal) === 0) process.exit(0);
    });
  }
}
