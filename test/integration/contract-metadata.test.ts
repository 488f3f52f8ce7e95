import { CONTRACTS, TRANSACTIONS } from '@aal/ledger-contract';
import { CHAINCODE_NAME, HOSPITAL_A } from '@aal/network';
import { testGateway } from '../support/gateway';

interface Parameter {
  readonly name: string;
  readonly description?: string;
}
interface TransactionMetadata {
  readonly name: string;
  readonly tag?: readonly string[];
  readonly parameters?: readonly Parameter[];
  readonly returns?: unknown;
}
interface Metadata {
  readonly components?: { readonly schemas?: Record<string, { readonly properties?: Record<string, unknown> }> };
  readonly contracts: Record<
    string,
    { readonly info?: { title?: string; description?: string }; readonly transactions: readonly TransactionMetadata[] }
  >;
}

/** Every transaction clients call (the contract package's TRANSACTIONS), by contract. */
const DOCUMENTED: Record<string, readonly string[]> = {};
for (const name of Object.values(TRANSACTIONS)) {
  const [contract = '', transaction = ''] = name.split(':');
  DOCUMENTED[contract] = [...(DOCUMENTED[contract] ?? []), transaction];
}

describe('the chaincode metadata (org.hyperledger.fabric:GetMetadata on the real network)', () => {
  let metadata: Metadata;

  beforeAll(async () => {
    const gateway = testGateway(HOSPITAL_A, 'recorder');
    try {
      const bytes = await gateway.gateway
        .getNetwork('hospital-a')
        .getContract(CHAINCODE_NAME)
        .evaluateTransaction('org.hyperledger.fabric:GetMetadata');
      metadata = JSON.parse(Buffer.from(bytes).toString('utf8')) as Metadata;
    } finally {
      gateway.close();
    }
  });

  it("registers exactly the contract package's contracts (besides Fabric's own): no probe, no benchmark baseline", () => {
    const registered = Object.keys(metadata.contracts).filter((name) => !name.startsWith('org.hyperledger.fabric'));
    expect(registered.sort()).toEqual(Object.values(CONTRACTS).sort());
    expect(Object.keys(DOCUMENTED).sort()).toEqual(Object.values(CONTRACTS).sort());
  });

  it('documents every contract with a title and description, and every documented transaction', () => {
    for (const [contract, transactions] of Object.entries(DOCUMENTED)) {
      const entry = metadata.contracts[contract];
      expect({ contract, title: entry?.info?.title, hasDescription: Boolean(entry?.info?.description) }).toEqual({
        contract,
        title: expect.any(String) as unknown,
        hasDescription: true,
      });
      const names = entry?.transactions.map((transaction) => transaction.name) ?? [];
      for (const transaction of transactions)
        expect({ contract, names }).toEqual({ contract, names: expect.arrayContaining([transaction]) as unknown });
    }
  });

  it('says which transactions submit and which only evaluate, and describes every parameter', () => {
    for (const contract of Object.keys(DOCUMENTED)) {
      for (const transaction of metadata.contracts[contract]?.transactions ?? []) {
        expect({ contract, transaction: transaction.name, tagged: (transaction.tag ?? []).length > 0 }).toEqual({
          contract,
          transaction: transaction.name,
          tagged: true,
        });
        for (const parameter of transaction.parameters ?? []) {
          expect({
            contract,
            transaction: transaction.name,
            parameter: parameter.name,
            described: Boolean(parameter.description),
          }).toEqual({
            contract,
            transaction: transaction.name,
            parameter: parameter.name,
            described: true,
          });
        }
      }
    }
  });

  it('describes the records transactions return (as JSON strings) by their shape', () => {
    const schemas = metadata.components?.schemas ?? {};
    for (const [name, fields] of Object.entries({
      InteractionRecord: ['id', 'org', 'txTime', 'usage', 'cost', 'promptCommitment', 'consentCheck'],
      ConsentRecord: ['subjectRef', 'controller', 'decision', 'period'],
      ArtifactRecord: ['kind', 'sha256', 'parents'],
      ErasureReceiptRecord: ['subjectRef', 'erasedAt'],
    })) {
      expect({ name, fields: Object.keys(schemas[name]?.properties ?? {}) }).toEqual({
        name,
        fields: expect.arrayContaining(fields) as unknown,
      });
    }
    const getInteraction = metadata.contracts.Interactions?.transactions.find(
      (transaction) => transaction.name === 'GetInteraction',
    );
    // The record, or a lean batched record's locator (found by its leafHash).
    expect(JSON.stringify(getInteraction?.returns)).toContain('InteractionAnswer');
    expect(JSON.stringify(schemas['InteractionAnswer'])).toContain('"leafHash"');
  });
});
