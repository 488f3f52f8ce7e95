import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { address, type AppRole, type IdentityPaths, NetworkLayout, type OrgSpec } from '@aal/network';
import { testNetworkOptions } from './test-network';

export interface TestGateway {
  readonly gateway: Gateway;
  close(): void;
}

/**
 * A gateway signed by `identityOrg`'s application user with `role`, dialling `peerOrg`'s peer:
 * lets a test act as a client that bypasses the REST app, including one at the wrong peer.
 */
export function testGateway(identityOrg: OrgSpec, role: AppRole, peerOrg: OrgSpec = identityOrg): TestGateway {
  return gatewayFor(new NetworkLayout(testNetworkOptions()), identityOrg, role, peerOrg);
}

/** As {@link testGateway}, for any network (the benchmark runs its own). */
export function gatewayFor(
  layout: NetworkLayout,
  identityOrg: OrgSpec,
  role: AppRole,
  peerOrg: OrgSpec = identityOrg,
): TestGateway {
  return gatewayForIdentity(layout, identityOrg, layout.appUserIdentity(identityOrg, role), peerOrg);
}

/** The certificate and private key of an identity the network enrolled (its MSP folder). */
export function enrolledIdentity(user: IdentityPaths): { credentials: Buffer; privateKey: KeyObject } {
  const keyDir = join(user.msp, 'keystore');
  const keyFile = readdirSync(keyDir)[0] ?? '';
  return {
    credentials: readFileSync(join(user.msp, 'signcerts', 'cert.pem')),
    privateKey: createPrivateKey(readFileSync(join(keyDir, keyFile))),
  };
}

/**
 * As {@link gatewayFor}, signed by any identity the network enrolled for `identityOrg` — e.g. one
 * whose certificate carries no role attribute.
 */
export function gatewayForIdentity(
  layout: NetworkLayout,
  identityOrg: OrgSpec,
  user: IdentityPaths,
  peerOrg: OrgSpec = identityOrg,
): TestGateway {
  const { credentials, privateKey } = enrolledIdentity(user);
  const client = new grpc.Client(
    address(layout.peerEndpoint(peerOrg)),
    grpc.credentials.createSsl(readFileSync(layout.caCert(peerOrg))),
  );
  const gateway = connect({
    client,
    identity: { mspId: identityOrg.mspId, credentials },
    signer: signers.newPrivateKeySigner(privateKey),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 20_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
