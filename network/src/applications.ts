import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { waitForListening, type ProcessSupervisor } from './processes';
import { APP_ROLES, CHAINCODE_NAME, channelsOf, type OrgSpec } from './topology';

export const APPLICATION_ENTRY = resolve(__dirname, '..', '..', 'application', 'dist', 'main.js');

/**
 * What an org's application needs to reach the ledger: its own peer, the TLS root to trust, the
 * channels it is on, and its users' certificates and keys. Written by the network, read by the app.
 */
export interface GatewayProfile {
  readonly org: string;
  readonly mspId: string;
  readonly peerEndpoint: string;
  readonly peerTlsRootCert: string;
  readonly channels: readonly string[];
  readonly chaincode: string;
  readonly identities: Readonly<Record<string, { readonly certificate: string; readonly keyDir: string }>>;
}

export function writeGatewayProfile(layout: NetworkLayout, org: OrgSpec): GatewayProfile {
  const profile: GatewayProfile = {
    org: org.name,
    mspId: org.mspId,
    peerEndpoint: address(layout.peerEndpoint(org)),
    peerTlsRootCert: layout.caCert(org),
    channels: channelsOf(org).map((channel) => channel.name),
    chaincode: CHAINCODE_NAME,
    identities: Object.fromEntries(
      APP_ROLES.map((role) => {
        const identity = layout.appUserIdentity(org, role);
        return [role, { certificate: `${identity.msp}/signcerts/cert.pem`, keyDir: `${identity.msp}/keystore` }];
      }),
    ),
  };
  writeFileSync(layout.gatewayProfile(org), JSON.stringify(profile, null, 2));
  return profile;
}

/** Starts one REST application instance for an org, bound to loopback. */
export async function startApplication(layout: NetworkLayout, supervisor: ProcessSupervisor, org: OrgSpec): Promise<string> {
  const name = layout.applicationProcess(org);
  const endpoint = layout.application(org);
  supervisor.start({
    name,
    command: process.execPath,
    args: [APPLICATION_ENTRY],
    env: {
      ...process.env,
      AAL_HOST: endpoint.host,
      AAL_PORT: String(endpoint.port),
      AAL_GATEWAY_PROFILE: layout.gatewayProfile(org),
    },
    logFile: layout.logFile(name),
  });
  await waitForListening(supervisor, name, endpoint);
  return `http://${address(endpoint)}`;
}
