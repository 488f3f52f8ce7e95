import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';

/**
 * The benchmark's reference point: puts the given bytes under a fresh key (the transaction id) and
 * nothing else — no validation, no indexes, no access checks. Its throughput is plain Fabric's on
 * this machine with this network's endorsement policy, against which the real paths are compared.
 */
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
