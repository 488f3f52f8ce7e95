import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkError } from './errors';
import { FabricNetwork, optionsFromEnv } from './network';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('FabricNetwork.up refuses to start', () => {
  it('when a port of its block is taken, naming the port and its owner, before building or starting anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aal-net-'));
    const basePort = 23000 + Math.floor(Math.random() * 50) * 100;
    const blocker = await listen(basePort + 40);
    try {
      const network = new FabricNetwork({ dir, basePort, orderers: 1, purgeIntervalBlocks: 1 });
      const failure = network.up();
      await expect(failure).rejects.toBeInstanceOf(NetworkError);
      await expect(network.up()).rejects.toThrow(
        `port 127.0.0.1:${basePort + 40} (for peer0.hospital-a) is already in use`,
      );
      expect(network.status()).toEqual([]);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when its directory belongs to a network with other ports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aal-net-'));
    const basePort = 23000 + Math.floor(Math.random() * 50) * 100;
    const blocker = await listen(basePort);
    try {
      await new FabricNetwork({ dir, basePort, orderers: 1, purgeIntervalBlocks: 1 }).up().catch(() => undefined);
      await expect(
        new FabricNetwork({ dir, basePort: basePort + 100, orderers: 1, purgeIntervalBlocks: 1 }).up(),
      ).rejects.toThrow(/holds a network with base port .* run 'npm run network -- down --purge' first/);
    } finally {
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('optionsFromEnv', () => {
  it('reads the documented variables and refuses bad values with the variable name', () => {
    expect(
      optionsFromEnv({ AAL_NETWORK_DIR: '/tmp/x', AAL_BASE_PORT: '21000', AAL_ORDERERS: '1', AAL_PURGE_INTERVAL: '5' }),
    ).toEqual({
      dir: '/tmp/x',
      basePort: 21000,
      orderers: 1,
      ordering: 'raft',
      purgeIntervalBlocks: 5,
    });
    expect(optionsFromEnv({ AAL_ORDERING: 'bft' }).ordering).toBe('bft');
    // Unset: the ordering the directory's network was created with.
    const dir = mkdtempSync(join(tmpdir(), 'aal-options-'));
    try {
      writeFileSync(join(dir, 'network.json'), JSON.stringify({ dir, basePort: 21000, orderers: 3, ordering: 'bft' }));
      expect(optionsFromEnv({ AAL_NETWORK_DIR: dir }).ordering).toBe('bft');
      expect(optionsFromEnv({ AAL_NETWORK_DIR: dir, AAL_ORDERING: 'raft' }).ordering).toBe('raft');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => optionsFromEnv({ AAL_ORDERING: 'solo' })).toThrow("AAL_ORDERING must be one of raft, bft, got 'solo'");
    expect(() => optionsFromEnv({ AAL_ORDERERS: '2' })).toThrow("AAL_ORDERERS must be 1 or 3, got '2'");
    expect(() => optionsFromEnv({ AAL_PURGE_INTERVAL: '0' })).toThrow(/AAL_PURGE_INTERVAL must be a positive integer/);
  });
});
