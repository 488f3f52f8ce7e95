import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NetworkLayout, address } from '../../network/src/layout';
import type { AppRole, OrgSpec } from '../../network/src/topology';
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
export function gatewayFor(layout: NetworkLayout, identityOrg: OrgSpec, role: AppRole, peerOrg: OrgSpec = identityOrg): TestGateway {
  const user = layout.appUserIdentity(identityOrg, role);
  const keyDir = join(user.msp, 'keystore');
  const keyFile = readdirSync(keyDir)[0] ?? '';
  const client = new grpc.Client(
    address(layout.peerEndpoint(peerOrg)),
    grpc.credentials.createSsl(readFileSync(layout.caCert(peerOrg))),
  );
  const gateway = connect({
    client,
    identity: { mspId: identityOrg.mspId, credentials: readFileSync(join(user.msp, 'signcerts', 'cert.pem')) },
    signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(join(keyDir, keyFile)))),
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
