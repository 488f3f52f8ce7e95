import { resolve } from 'node:path';
import { REPO_ROOT } from './paths';
import { CHAINCODE_NAME } from './topology';

/**
 * A chaincode the network deploys as a service: what clients call it on the channels, which
 * package directory its per-org servers run (`--module-path`, whose `dist/` is built by
 * `npm run build`), and which block of four server ports it uses (see {@link NetworkLayout.chaincodeServer}).
 */
export interface ChaincodeSpec {
  readonly name: string;
  readonly dir: string;
  /**
   * Which blocks of four server ports (one server per peer org) it uses: 0 → B+60..63, or B+56..59
   * for the other generation; 1 → B+64..67, or B+35..38 (see {@link ChaincodeGeneration}).
   */
  readonly serverSlot: 0 | 1;
}

/**
 * Which of a chaincode's two server addresses a package names. An upgrade runs the new code's
 * servers at the other generation's addresses beside the old ones until the new definition is
 * committed on every channel: the peers never find, at the address their committed package names,
 * a server of another package (which they refuse, holding a launch that stalls their commits).
 */
export type ChaincodeGeneration = 0 | 1;

/** The AI Audit Ledger chaincode (`chaincode/`): the one every network deploys. */
export const AUDIT_CHAINCODE: ChaincodeSpec = {
  name: CHAINCODE_NAME,
  dir: resolve(REPO_ROOT, 'chaincode'),
  serverSlot: 0,
};

/**
 * The benchmark's reference chaincode (`bench-chaincode/`, contract `Baseline`, transaction `Put`):
 * one putState and nothing else. Deployed only on networks started with `benchBaseline` (the
 * benchmarks'), never on the production or test network.
 */
export const BENCH_BASELINE_CHAINCODE: ChaincodeSpec = {
  name: 'aal-bench-baseline',
  dir: resolve(REPO_ROOT, 'bench-chaincode'),
  serverSlot: 1,
};

/** The main chaincode's package directory (kept as a name of its own for tests that rebuild it). */
export const CHAINCODE_DIR = AUDIT_CHAINCODE.dir;
