import { startTestNetwork } from '../../support/global-setup';
import { faultsNetworkOptions } from './faults-network';

/** Starts the faults suite's own network (see {@link faultsNetworkOptions}), as the integration suite starts its. */
export default async function globalSetup(): Promise<void> {
  await startTestNetwork(faultsNetworkOptions(), 'faults');
}
