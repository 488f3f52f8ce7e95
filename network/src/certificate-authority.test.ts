import { parse } from 'yaml';
import { nodeOuConfig } from './certificate-authority';

describe('nodeOuConfig', () => {
  it('classifies identities by the OU the CA writes (client, peer, admin, orderer)', () => {
    const config = parse(nodeOuConfig('cacerts/ca.pem')) as { NodeOUs: Record<string, unknown> };
    expect(config.NodeOUs).toEqual({
      Enable: true,
      ClientOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'client' },
      PeerOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'peer' },
      AdminOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'admin' },
      OrdererOUIdentifier: { Certificate: 'cacerts/ca.pem', OrganizationalUnitIdentifier: 'orderer' },
    });
  });
});
