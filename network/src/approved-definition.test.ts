import { isNoApprovedDefinition } from './approved-definition';

const NOTHING_APPROVED =
  "Error: query failed with status: 500 - could not fetch approved chaincode definition (name: 'aal', sequence: '2') on channel 'hospital-a'";

describe('isNoApprovedDefinition', () => {
  it("is Fabric's answer for a definition the org has not approved, as the CLI prints it", () => {
    expect(
      isNoApprovedDefinition(
        `'peer lifecycle chaincode queryapproved' failed:\n${NOTHING_APPROVED}`,
        'aal',
        2,
        'hospital-a',
      ),
    ).toBe(true);
  });

  it('is not an approval the peer cannot read, another name, sequence or channel, or an unreachable peer', () => {
    expect(
      isNoApprovedDefinition(
        `${NOTHING_APPROVED}: could not deserialize chaincode-source metadata for aal#2`,
        'aal',
        2,
        'hospital-a',
      ),
    ).toBe(false);
    expect(isNoApprovedDefinition(NOTHING_APPROVED, 'aal', 1, 'hospital-a')).toBe(false);
    expect(isNoApprovedDefinition(NOTHING_APPROVED, 'other', 2, 'hospital-a')).toBe(false);
    expect(isNoApprovedDefinition(NOTHING_APPROVED, 'aal', 2, 'research')).toBe(false);
    expect(
      isNoApprovedDefinition(
        'Error: failed to retrieve endorser client for queryapproved: endorser client failed to connect to 127.0.0.1:7051: failed to create new connection: context deadline exceeded',
        'aal',
        2,
        'hospital-a',
      ),
    ).toBe(false);
  });
});
