import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { address, NetworkLayout } from './layout';
import { ordererCliArgs } from './nodes';
import { HOSPITAL_B } from './topology';

describe('ordererCliArgs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aal-orderer-args-'));
  const layout = new NetworkLayout({ dir, basePort: 20000, orderers: 3, ordering: 'bft', purgeIntervalBlocks: 1 });
  beforeAll(() => {
    for (const i of layout.foundingOrdererIndexes()) {
      const root = layout.tlsRootCert(layout.ordererOrg(i));
      mkdirSync(dirname(root), { recursive: true });
      writeFileSync(root, 'TLS ROOT');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const endpointOf = (args: readonly string[]): string | undefined => args[args.indexOf('-o') + 1];

  it("sends a member's transactions through its own node, or, told not to, another member's", () => {
    const own = layout.memberOrdererIndex(HOSPITAL_B) ?? -1;
    expect(endpointOf(ordererCliArgs(layout, HOSPITAL_B))).toBe(address(layout.ordererEndpoint(own)));
    const other = ordererCliArgs(layout, HOSPITAL_B, { notOwn: true });
    expect(endpointOf(other)).not.toBe(address(layout.ordererEndpoint(own)));
    const i = layout.foundingOrdererIndexes().find((candidate) => candidate !== own) ?? -1;
    expect(other).toEqual([
      '-o',
      address(layout.ordererEndpoint(i)),
      '--tls',
      '--cafile',
      layout.tlsRootCert(layout.ordererOrg(i)),
    ]);
  });
});
