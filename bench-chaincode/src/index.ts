/**
 * The benchmark's baseline chaincode, deployed only by the benchmark (chaincode name
 * `aal-bench-baseline`), never with the production chaincode: one contract, `Baseline`, whose
 * `Put` stores the given bytes and nothing else. Its throughput is plain Fabric's on this machine
 * with the network's endorsement policy, against which the real paths are compared.
 */
import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';

/** No validation, no indexes, no access checks: one putState under a fresh key (the transaction id). */
@Info({ title: 'BaselineContract', description: 'Benchmark baseline: one putState under a fresh key' })
export class BaselineContract extends Contract {
  constructor() {
    super('Baseline');
  }

  @Transaction()
  @Param('payload', 'string', 'bytes to store (the benchmark sends one interaction record)')
  @Returns('string')
  async Put(ctx: Context, payload: string): Promise<string> {
    const key = `baseline~${ctx.stub.getTxID()}`;
    await ctx.stub.putState(key, Buffer.from(payload));
    return key;
  }
}

/** What fabric-chaincode-node loads: the one contract, which is also the default. */
export const contracts: (new () => Contract)[] = [BaselineContract];
