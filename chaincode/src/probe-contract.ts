import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson } from './canonical-json';

/** A probe as stored on the ledger. */
export interface Probe {
  id: string;
  note: string;
  /** The submitter's MSP: always from the caller's certificate, never from input. */
  org: string;
  txId: string;
  /** Transaction timestamp (RFC 3339): the same on every endorsing peer. */
  txTime: string;
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_NOTE_LENGTH = 1024;

/**
 * The smallest end-to-end slice of the system: write a record and read it back through
 * endorsement, ordering and commit. Operators use it to prove a channel works; the domain
 * contracts follow the same shape (validated input, org from the certificate, canonical JSON).
 */
@Info({ title: 'ProbeContract', description: 'Connectivity probe: record a note and read it back' })
export class ProbeContract extends Contract {
  constructor() {
    super('Probe');
  }

  @Transaction()
  @Param('id', 'string', 'probe id: [A-Za-z0-9._:-]{1,128}')
  @Param('note', 'string', 'free text, at most 1024 characters (no personal data)')
  @Returns('string')
  async RecordProbe(ctx: Context, id: string, note: string): Promise<string> {
    if (!ID_PATTERN.test(id)) throw new Error(`id: must match ${ID_PATTERN.source}`);
    if (note.length > MAX_NOTE_LENGTH) throw new Error(`note: must be at most ${MAX_NOTE_LENGTH} characters`);
    const key = ctx.stub.createCompositeKey('probe', [id]);
    const existing = await ctx.stub.getState(key);
    if (existing.length > 0) throw new Error(`probe ${id} already exists`);
    const timestamp = ctx.stub.getTxTimestamp();
    const seconds = Number(timestamp.seconds.toString());
    const probe: Probe = {
      id,
      note,
      org: ctx.clientIdentity.getMSPID(),
      txId: ctx.stub.getTxID(),
      txTime: new Date(seconds * 1000 + Math.floor(timestamp.nanos / 1e6)).toISOString(),
    };
    const json = canonicalJson(probe);
    await ctx.stub.putState(key, Buffer.from(json));
    return json;
  }

  @Transaction(false)
  @Param('id', 'string', 'probe id')
  @Returns('string')
  async GetProbe(ctx: Context, id: string): Promise<string> {
    const data = await ctx.stub.getState(ctx.stub.createCompositeKey('probe', [id]));
    if (data.length === 0) throw new Error(`probe ${id} does not exist`);
    return Buffer.from(data).toString('utf8');
  }

  /**
   * Who the chaincode sees as the caller: MSP and the `role` attribute from the certificate the
   * org's CA issued. Access rules in the domain contracts rest on exactly these two values.
   */
  @Transaction(false)
  @Returns('string')
  WhoAmI(ctx: Context): Promise<string> {
    return Promise.resolve(
      canonicalJson({
        mspId: ctx.clientIdentity.getMSPID(),
        role: ctx.clientIdentity.getAttributeValue('role'),
      }),
    );
  }
}
