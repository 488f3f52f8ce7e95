import { join, resolve } from 'node:path';
import { FabricNetwork, NetworkLayout, type NetworkOptions, type OrgSpec } from '@aal/network';
import { loadTestEnvironment, type TestEnvironment } from '../../support/test-network';
import type { WriteLoadOptions } from './write-load';

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

/** What every fault scenario works with: the suite's network, its layout and the environment its global set-up wrote. */
export function faultsNetwork(): { environment: TestEnvironment; layout: NetworkLayout; network: FabricNetwork } {
  const options = faultsNetworkOptions();
  return {
    environment: loadTestEnvironment(options),
    layout: new NetworkLayout(options),
    network: new FabricNetwork(options),
  };
}

/** The channel every scenario writes to. */
export const FAULTS_CHANNEL = 'hospital-a';

/** A write load through `org`'s own app on {@link FAULTS_CHANNEL}, as its recorder, under `runId`. */
export function orgWriteLoad(environment: TestEnvironment, org: OrgSpec, runId: string): WriteLoadOptions {
  return {
    url: environment.apps[org.name] ?? '',
    channel: FAULTS_CHANNEL,
    recorderKey: environment.apiKeys[org.name]?.recorder ?? '',
    mspId: org.mspId,
    runId,
  };
}
