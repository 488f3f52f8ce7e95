import { FabricNetwork, type NetworkOptions } from '@aal/network';
import { testNetworkOptions } from './test-network';

/**
 * Stops the test network whatever the tests' outcome. `down` itself fails if any of the
 * network's ports still listens afterwards, and so fails the run. State stays on disk for
 * post-mortems (logs under the network dir); the next run purges it first.
 */
export default async function globalTeardown(): Promise<void> {
  await stopTestNetwork(testNetworkOptions());
}

/** Stops the network with `options`, failing when any of its processes or ports outlives `down`. */
export async function stopTestNetwork(options: NetworkOptions): Promise<void> {
  const network = new FabricNetwork(options);
  await network.down();
  const left = network.status().filter((process) => process.running);
  if (left.length > 0) throw new Error(`processes still running after down: ${left.map((p) => p.name).join(', ')}`);
}
