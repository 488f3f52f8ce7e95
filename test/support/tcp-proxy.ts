import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP proxy a test can cut and restore, to make a server unreachable for one client only. */
export interface TcpProxy {
  readonly port: number;
  /** Closes the listener and every connection through it: the client sees the server go away. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:`port` forwarding every connection to `target`. */
export async function startTcpProxy(port: number, target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const created = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => resolve());
      server = created;
    });
  await listen();
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        sockets.clear();
        if (server === undefined) return resolve();
        server.close(() => resolve());
        server = undefined;
      }),
    restore: listen,
  };
}
