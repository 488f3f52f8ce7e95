import { setTimeout as sleep } from 'node:timers/promises';
import { decodeBlock } from '@aal/application';
import { CHAINCODE_NAME, type NetworkLayout, address, type OrgSpec } from '@aal/network';
import { gatewayFor } from '../../support/gateway';

/** How often each interaction id was written by a valid transaction, counted from the blocks. */
export interface LedgerCensus {
  /** The channel's height at the peer when the count was taken. */
  readonly height: number;
  readonly writes: ReadonlyMap<string, number>;
}

/**
 * Counts, from block 0 to the peer's current height, every interaction each valid transaction of
 * the audit chaincode wrote — single, `RecordInteractions` and Merkle-batched alike — by reading
 * `peerOrg`'s blocks as `org`'s auditor and decoding them as the audit index does (but into a
 * fresh count, not the app's index): the ledger's own answer to "recorded once, nothing twice".
 */
export async function ledgerCensus(layout: NetworkLayout, org: OrgSpec, channel: string): Promise<LedgerCensus> {
  const height = await blockHeight(layout, org, channel);
  const writes = new Map<string, number>();
  const auditor = gatewayFor(layout, org, 'auditor');
  const blocks = await auditor.gateway.getNetwork(channel).getBlockEvents({ startBlock: 0n });
  try {
    for await (const block of blocks) {
      const decoded = decodeBlock(block, CHAINCODE_NAME);
      for (const { record } of decoded.interactions) writes.set(record.id, (writes.get(record.id) ?? 0) + 1);
      if (decoded.number >= height - 1) break;
    }
  } finally {
    blocks.close();
    auditor.close();
  }
  return { height, writes };
}

/** The channel's block height at the org's peer, from the peer's own Prometheus metrics (`ledger_blockchain_height`). */
export async function blockHeight(layout: NetworkLayout, org: OrgSpec, channel: string): Promise<number> {
  const response = await fetch(`http://${address(layout.peerOperations(org))}/metrics`, {
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  const line = text.split('\n').find((entry) => entry.startsWith(`ledger_blockchain_height{channel="${channel}"}`));
  if (line === undefined) throw new Error(`no ledger_blockchain_height for ${channel} at ${org.name}'s peer`);
  return Number(line.split(' ').pop());
}

/**
 * Waits until the orgs' peers hold `channel` at one height (a restarted or reconnected peer
 * catching up), for at most `timeoutMs`; returns the heights last seen, for the caller to assert.
 */
export async function settledHeights(
  layout: NetworkLayout,
  orgs: readonly OrgSpec[],
  channel: string,
  timeoutMs = 60_000,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const heights = await Promise.all(orgs.map((org) => blockHeight(layout, org, channel)));
    if (heights.every((height) => height === heights[0]) || Date.now() > deadline) return heights;
    await sleep(500);
  }
}
