import { createRequire } from 'node:module';
import { JSONSerializer } from 'fabric-contract-api';
import { contracts } from '../index';

// fabric-shim's contract SPI is plain JavaScript without type declarations: loaded as the shim loads it.
const load = createRequire(__filename);
const ChaincodeFromContract = load('fabric-shim/lib/contract-spi/chaincodefromcontract.js') as new (
  contractClasses: unknown[],
  serializers: unknown,
  metadata: object,
  title: string,
  version: string,
) => object;

/**
 * The chaincode as fabric-shim builds it in a running server (`Bootstrap.register`): every contract,
 * introspected (no metadata file), with the default JSON serializer. The constructor also compiles
 * every metadata component with Ajv, which throws on an invalid schema. `Shape` names the parts of
 * the shim's object a test reads (`contractImplementations`, `metadata`).
 */
export function builtChaincode<Shape extends object>(): Shape {
  return new ChaincodeFromContract(
    [...contracts],
    { transaction: 'jsonSerializer', serializers: { jsonSerializer: JSONSerializer } },
    {},
    '@aal/chaincode',
    '0.1.0',
  ) as Shape;
}
