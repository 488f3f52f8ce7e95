import { join, resolve } from 'node:path';
import type { NetworkOptions } from '@aal/network';

/**
 * The network the faults suite runs and breaks: its own directory and its own block of ports, so
 * it never shares the integration suite's network (whose processes it would kill). By default 100
 * ports above the integration network's base; override with AAL_FAULTS_NETWORK_DIR /
 * AAL_FAULTS_BASE_PORT.
 */
export function faultsNetworkOptions(env: NodeJS.ProcessEnv = process.env): NetworkOptions {
  return {
    dir: resolve(env.AAL_FAULTS_NETWORK_DIR ?? join(__dirname, '..', '..', '..', '.network-faults')),
    basePort: Number(env.AAL_FAULTS_BASE_PORT ?? Number(env.AAL_TEST_BASE_PORT ?? 18000) + 100),
    orderers: 3,
    purgeIntervalBlocks: 1,
  };
}
