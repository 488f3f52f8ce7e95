import { createRequire } from 'node:module';
import { JSONSerializer } from 'fabric-contract-api';
import { builtChaincode } from '../testing/built-chaincode';
import {
  SHIM_HANDLER,
  installStringParameterHandler,
  isPlainStringParameter,
  stringParameterHandler,
  type TransactionDescriptor,
} from './string-parameters';

// fabric-shim's contract SPI is plain JavaScript without type declarations: loaded as the shim loads it.
const load = createRequire(__filename);
type HandleParameters = (fn: TransactionDescriptor, parameters: readonly Uint8Array[], prefix: string) => unknown[];
interface DataMarshall {
  handleParameters: HandleParameters;
}
interface ChaincodeFromContract {
  contractImplementations: Record<string, { dataMarshall: DataMarshall }>;
  metadata: { contracts: Record<string, { transactions: TransactionDescriptor[] }> };
}
const DataMarshallClass = load('fabric-shim/lib/contract-spi/datamarshall.js') as {
  prototype: DataMarshall & { [SHIM_HANDLER]?: HandleParameters };
};

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

describe('string parameters without per-call schema work', () => {
  it('is installed when the chaincode loads, on the pinned fabric-shim', () => {
    const installed = DataMarshallClass.prototype.handleParameters;
    expect(DataMarshallClass.prototype[SHIM_HANDLER]).toBeInstanceOf(Function);
    expect(installed).not.toBe(DataMarshallClass.prototype[SHIM_HANDLER]);
    // Installing again keeps one wrapper, not a chain of them.
    expect(installStringParameterHandler()).toBe(true);
    expect(DataMarshallClass.prototype.handleParameters).toBe(installed);
  });

  it("answers every transaction's arguments exactly as the shim's own handler does", () => {
    const chaincode = builtChaincode<ChaincodeFromContract>();
    const shim = DataMarshallClass.prototype[SHIM_HANDLER];
    if (shim === undefined) throw new Error('not installed');
    let compared = 0;
    for (const [name, contract] of Object.entries(chaincode.metadata.contracts)) {
      const { dataMarshall } = chaincode.contractImplementations[name] ?? {};
      if (dataMarshall === undefined || name === 'org.hyperledger.fabric') continue;
      for (const transaction of contract.transactions) {
        // JSON with non-ASCII text, an empty argument, a NUL byte, and bytes that are not UTF-8 (a
        // lone 0xff, a truncated sequence): decoded the same way, replacement characters included.
        const samples = [
          (i: number) => utf8(`{"arg":${i},"text":"é ✓"}`),
          () => new Uint8Array(0),
          () => Buffer.from([0x61, 0x00, 0x62]),
          () => Buffer.from([0xff, 0x41, 0xe2, 0x82]),
        ];
        for (const sample of samples) {
          const args = (transaction.parameters ?? []).map((_, i) => sample(i));
          expect(dataMarshall.handleParameters(transaction, args, '[test]')).toEqual(
            shim.call(dataMarshall, transaction, args, '[test]'),
          );
        }
        compared += 1;
      }
    }
    // Every transaction of the six contracts (35 when this was written), not a few of them.
    expect(compared).toBeGreaterThanOrEqual(35);
  });

  it('covers every transaction of every contract: all declare plain string parameters', () => {
    const { metadata } = builtChaincode<ChaincodeFromContract>();
    const notPlain = Object.entries(metadata.contracts)
      .filter(([name]) => name !== 'org.hyperledger.fabric')
      .flatMap(([name, contract]) =>
        contract.transactions
          .filter((transaction) => !(transaction.parameters ?? []).every(isPlainStringParameter))
          .map((transaction) => `${name}:${transaction.name ?? ''}`),
      );
    expect(notPlain).toEqual([]);
  });

  it('answers what the shim answers: the arguments as UTF-8 strings, a wrong count refused with its message', () => {
    const chaincode = builtChaincode<ChaincodeFromContract>();
    const { dataMarshall } = chaincode.contractImplementations.Interactions ?? {};
    if (dataMarshall === undefined) throw new Error('no Interactions contract');
    const original = jest.fn<unknown[], Parameters<HandleParameters>>(() => ['from the shim']);
    const handler = stringParameterHandler(original);
    const getInteraction = chaincode.metadata.contracts.Interactions?.transactions.find(
      (transaction) => transaction.name === 'GetInteraction',
    );
    if (getInteraction === undefined) throw new Error('no GetInteraction');
    const args = [utf8('HospitalAMSP:ü-1 {"json": [1]}')];
    // The installed handler (index.ts) and the shim's own logic agree on the value.
    expect(dataMarshall.handleParameters(getInteraction, args, '[test]')).toEqual(['HospitalAMSP:ü-1 {"json": [1]}']);
    expect(handler.call(dataMarshall, getInteraction, args, '[test]')).toEqual(['HospitalAMSP:ü-1 {"json": [1]}']);
    expect(original).not.toHaveBeenCalled();
    // A wrong count goes to the shim, which refuses it with its own message.
    expect(handler.call(dataMarshall, getInteraction, [], '[test]')).toEqual(['from the shim']);
    expect(() => dataMarshall.handleParameters(getInteraction, [], '[test]')).toThrow(
      'Expected 1 parameters, but 0 have been supplied',
    );
  });

  it('passes any other parameter schema, and any other serializer, to the shim', () => {
    const original = jest.fn<unknown[], Parameters<HandleParameters>>(() => ['from the shim']);
    const handler = stringParameterHandler(original);
    const typed: TransactionDescriptor = {
      name: 'Typed',
      parameters: [
        { name: 'a', schema: { type: 'string' } },
        { name: 'n', schema: { type: 'number' } },
      ],
    };
    const patterned: TransactionDescriptor = {
      name: 'Patterned',
      parameters: [{ name: 'a', schema: { type: 'string', pattern: '^x$' } }],
    };
    const inferred: TransactionDescriptor = { name: 'Inferred' };
    const marshall = { serializer: new JSONSerializer() };
    for (const fn of [typed, patterned, inferred])
      expect(handler.call(marshall, fn, [utf8('1'), utf8('2')], '[test]')).toEqual(['from the shim']);
    expect(original).toHaveBeenCalledTimes(3);
    // All-string parameters, but a marshall with another serializer: the shim's handling too.
    const strings: TransactionDescriptor = { name: 'Strings', parameters: [{ name: 'a', schema: { type: 'string' } }] };
    expect(handler.call({ serializer: {} }, strings, [utf8('1')], '[test]')).toEqual(['from the shim']);
    expect(handler.call(marshall, strings, [utf8('1')], '[test]')).toEqual(['1']);
    expect(original).toHaveBeenCalledTimes(4);
  });
});
