import type { Contract, Gateway } from '@hyperledger/fabric-gateway';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { channelHeight, writtenSince } from './channel-blocks';
import { codedRefusal, HOSPITAL_A_CHANNEL, readRefusalCode, type Json } from './deviating-member';

/**
 * The three write paths of an interaction, each as a member calls it straight at the peers: name,
 * submit, and the prefix its refusals give a record's field paths (`[0].` in a list).
 */
export const INTERACTION_WRITE_PATHS: [string, (contract: Contract, records: Json[]) => Promise<unknown>, string][] = [
  [
    'RecordInteraction',
    (contract, records) => contract.submitTransaction(TRANSACTIONS.recordInteraction, JSON.stringify(records[0])),
    '',
  ],
  [
    'RecordInteractions',
    (contract, records) => contract.submitTransaction(TRANSACTIONS.recordInteractions, JSON.stringify(records)),
    '[0].',
  ],
  [
    'RecordBatch',
    (contract, records) => contract.submitTransaction(TRANSACTIONS.recordBatch, JSON.stringify(records)),
    '[0].',
  ],
];

/**
 * Expects `call` refused `INVALID_ARGUMENT` with exactly `violation`, nothing ordered on HospitalA's
 * channel meanwhile but the apps' background read-log anchors (as `peer` sees it), and `absent`
 * (a point read, as `reader`) `NOT_FOUND`.
 */
export async function expectRefusedUnchanged(
  on: { peer: Gateway; reader: Contract },
  call: () => Promise<unknown>,
  violation: { path: string; rule: string },
  absent: [string, string],
): Promise<void> {
  const before = await channelHeight(on.peer, HOSPITAL_A_CHANNEL);
  const refusal = await codedRefusal(call());
  expect({ code: refusal.code, violations: refusal.violations }).toEqual({
    code: 'INVALID_ARGUMENT',
    violations: [violation],
  });
  expect(await writtenSince(on.peer, HOSPITAL_A_CHANNEL, before)).toEqual([]);
  expect(await readRefusalCode(on.reader, ...absent)).toBe('NOT_FOUND');
}
