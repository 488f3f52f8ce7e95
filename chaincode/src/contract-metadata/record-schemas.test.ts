import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtChaincode } from '../testing/built-chaincode';

interface ObjectComponent {
  $id: string;
  type: string;
  properties: Record<string, { type?: string; properties?: Record<string, unknown>; required?: string[] }>;
  required?: string[];
}
interface Metadata {
  contracts: Record<string, { transactions: { name: string; returns?: { $ref?: string; type?: string } }[] }>;
  components: { schemas: Record<string, ObjectComponent> };
}
interface ChaincodeFromContract {
  contractImplementations: Record<string, { contractInstance: { GetMetadata(): Promise<Metadata> } }>;
}

// fabric-shim's contract SPI is plain JavaScript without type declarations: loaded as the shim loads it.
const load = createRequire(__filename);
const Bootstrap = load('fabric-shim/lib/contract-spi/bootstrap.js') as {
  loadAndValidateMetadata(path: string): unknown;
};

/** The metadata exactly as `org.hyperledger.fabric:GetMetadata` answers it in a running chaincode server. */
async function generatedMetadata(): Promise<Metadata> {
  const chaincode = builtChaincode<ChaincodeFromContract>();
  const system = chaincode.contractImplementations['org.hyperledger.fabric'];
  if (system === undefined) throw new Error('fabric-shim registered no system contract');
  return system.contractInstance.GetMetadata();
}

describe('contract metadata', () => {
  it('lists the domain contracts only (no Probe, no Baseline) and validates against fabric-contract-api’s metadata schema', async () => {
    const metadata = await generatedMetadata();
    expect(Object.keys(metadata.contracts).sort()).toEqual([
      'Artifacts',
      'Batches',
      'Consents',
      'Interactions',
      'ReadLog',
      'Subjects',
      'org.hyperledger.fabric',
    ]);
    const directory = mkdtempSync(join(tmpdir(), 'aal-metadata-'));
    try {
      const file = join(directory, 'metadata.json');
      writeFileSync(file, JSON.stringify(metadata));
      expect(() => Bootstrap.loadAndValidateMetadata(file)).not.toThrow();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('generates every record component @Returns names from the contract’s schemas, with properties and required lists', async () => {
    const { contracts: described, components } = await generatedMetadata();
    const referenced = new Set(
      Object.values(described).flatMap((contract) =>
        contract.transactions.flatMap((transaction) =>
          transaction.returns?.$ref === undefined ? [] : [transaction.returns.$ref.split('/').pop()],
        ),
      ),
    );
    expect([...referenced].sort()).toEqual([
      'ArtifactRecord',
      'ConsentRecord',
      'ErasureReceiptRecord',
      'InteractionAnswer',
      'InteractionRecord',
      'ReadAnchorRecord',
      'TrainingRunRecord',
    ]);
    for (const name of referenced) expect(components.schemas[name ?? '']).toMatchObject({ $id: name, type: 'object' });

    const interaction = components.schemas.InteractionRecord;
    expect(interaction?.required).toEqual(
      expect.arrayContaining([
        'id',
        'startTime',
        'endTime',
        'provider',
        'operation',
        'requestModel',
        'usage',
        'cost',
        'latencyMs',
        'status',
        'applicationId',
        'promptCommitment',
        'org',
        'recordedBy',
        'txId',
        'txTime',
      ]),
    );
    expect(interaction?.required).not.toContain('consentCheck');
    expect(Object.keys(interaction?.properties ?? {})).toEqual(
      expect.arrayContaining(['consentCheck', 'batchId', 'leafIndex', 'modelArtifactId']),
    );
    expect(interaction?.properties.usage).toMatchObject({
      type: 'object',
      required: ['inputTokens', 'outputTokens', 'source'],
    });
    // A point read answers the record, or for a lean batched record its locator: one of the two shapes.
    const answer = components.schemas.InteractionAnswer as unknown as { anyOf: { required: string[] }[] };
    expect(answer.anyOf).toHaveLength(2);
    expect(answer.anyOf[0]?.required).toEqual(interaction?.required);
    expect(answer.anyOf[1]?.required).toEqual(
      expect.arrayContaining(['id', 'org', 'txId', 'batchId', 'leafIndex', 'leafHash']),
    );

    expect(components.schemas.ConsentRecord?.required).toEqual(
      expect.arrayContaining([
        'id',
        'subjectRef',
        'grantees',
        'decision',
        'purposes',
        'period',
        'policyCommitment',
        'controller',
        'grantedBy',
        'grantedAt',
        'txId',
      ]),
    );
    expect(Object.keys(components.schemas.ConsentRecord?.properties ?? {})).toEqual(
      expect.arrayContaining(['status', 'revokedAt', 'revocationReason']),
    );
    expect(components.schemas.ArtifactRecord?.required).toEqual(
      expect.arrayContaining([
        'id',
        'kind',
        'name',
        'version',
        'sha256',
        'registeredBy',
        'registeredByUser',
        'txId',
        'txTime',
      ]),
    );
    expect(components.schemas.TrainingRunRecord?.required).toEqual(
      expect.arrayContaining([
        'id',
        'modelArtifactId',
        'datasetArtifactIds',
        'org',
        'recordedBy',
        'txId',
        'txTime',
        'consentCoverage',
      ]),
    );
    expect(components.schemas.ErasureReceiptRecord).toMatchObject({
      required: ['subjectRef', 'org', 'erasedAt', 'erasedBy', 'txId'],
    });
    expect(components.schemas.ReadAnchorRecord?.required).toEqual(
      expect.arrayContaining(['log', 'seq', 'head', 'window', 'readsByOwner', 'org', 'anchoredBy', 'txId', 'txTime']),
    );
  });
});
