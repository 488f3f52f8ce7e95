import { NetworkError } from './errors';

/**
 * Who orders the channels' transactions:
 * - `raft`: a separate orderer org (OrdererOrg) runs 3 (or 1) Raft nodes; crash-tolerant only, and
 *   that one operator can censor or reorder every member's transactions;
 * - `bft`: each member org runs one orderer node with an identity from its own CA, and the four
 *   nodes run Fabric 3's SmartBFT (`BFT`), which tolerates f = 1 faulty or deviating node of 3f + 1 = 4.
 */
export const ORDERING_TYPES = ['raft', 'bft'] as const;
export type OrderingType = (typeof ORDERING_TYPES)[number];

/** The ordering a network runs when nothing says otherwise. */
export const DEFAULT_ORDERING: OrderingType = 'raft';

/** `value` as an {@link OrderingType}; `source` names where it came from in the error. */
export function parseOrdering(value: string | undefined, source: string): OrderingType {
  if (value === undefined || value === '') return DEFAULT_ORDERING;
  const found = ORDERING_TYPES.find((type) => type === value);
  if (found === undefined)
    throw new NetworkError('INVALID_CONFIG', `${source} must be one of ${ORDERING_TYPES.join(', ')}, got '${value}'`);
  return found;
}
