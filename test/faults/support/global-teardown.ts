import { stopTestNetwork } from '../../support/global-teardown';
import { faultsNetworkOptions } from './faults-network';

/** Stops the faults suite's network whatever the outcome, failing when anything of it outlives `down`. */
export default async function globalTeardown(): Promise<void> {
  await stopTestNetwork(faultsNetworkOptions());
}
