import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError } from './errors';
import { ProcessSupervisor, isAlive, isListening, waitForListening } from './processes';

describe('ProcessSupervisor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aal-proc-'));
  const supervisor = new ProcessSupervisor(join(dir, 'pids'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a detached process, records it, and stops exactly it', async () => {
    const record = supervisor.start({
      name: 'sleeper',
      command: '/bin/sleep',
      args: ['30'],
      logFile: join(dir, 'sleeper.log'),
    });
    expect(isAlive(record)).toBe(true);
    expect(supervisor.isRunning('sleeper')).toBe(true);
    expect(
      supervisor.start({ name: 'sleeper', command: '/bin/sleep', args: ['30'], logFile: join(dir, 'x.log') }).pid,
    ).toBe(record.pid);

    expect(await supervisor.stop('sleeper')).toBe(true);
    expect(isAlive(record)).toBe(false);
    expect(supervisor.record('sleeper')).toBeUndefined();
  });

  it('tracks a running process under another name, and refuses to rename over a tracked one', async () => {
    const record = supervisor.start({ name: 'next', command: '/bin/sleep', args: ['30'], logFile: join(dir, 'n.log') });
    supervisor.start({ name: 'other', command: '/bin/sleep', args: ['30'], logFile: join(dir, 'o.log') });
    expect(() => supervisor.rename('next', 'other')).toThrow(NetworkError);
    expect(() => supervisor.rename('missing', 'current')).toThrow(NetworkError);
    supervisor.rename('next', 'current');
    expect(supervisor.record('next')).toBeUndefined();
    expect(supervisor.record('current')).toMatchObject({ name: 'current', pid: record.pid });
    expect(supervisor.isRunning('current')).toBe(true);
    expect(await supervisor.stop('current')).toBe(true);
    expect(isAlive(record)).toBe(false);
    expect(await supervisor.stop('other')).toBe(true);
  });

  it('does not treat a recycled PID running another program as ours', () => {
    expect(isAlive({ pid: process.pid, command: '/usr/bin/definitely-not-this' })).toBe(false);
  });

  it('fails with the log tail when a process dies before listening', async () => {
    supervisor.start({
      name: 'crasher',
      command: '/bin/sh',
      args: ['-c', 'echo boom-marker; exit 3'],
      logFile: join(dir, 'crasher.log'),
    });
    await expect(waitForListening(supervisor, 'crasher', { host: '127.0.0.1', port: 1 }, 5000)).rejects.toThrow(
      /boom-marker/,
    );
    await expect(waitForListening(supervisor, 'crasher', { host: '127.0.0.1', port: 1 }, 5000)).rejects.toBeInstanceOf(
      NetworkError,
    );
    expect(readFileSync(join(dir, 'crasher.log'), 'utf8')).toContain('boom-marker');
    await supervisor.stop('crasher');
  });

  it('detects whether a port listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    expect(await isListening({ host: '127.0.0.1', port })).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await isListening({ host: '127.0.0.1', port })).toBe(false);
  });
});
