/**
 * Chaincode entry point: fabric-chaincode-node loads `contracts` from here. The first contract
 * is the default one for unqualified transaction names.
 */
import type { Contract } from 'fabric-contract-api';
// Registers the record shapes that @Returns names, for the generated metadata.
import './contract-metadata/record-schemas';
import { installCertificateParseCache } from './contract-runtime/certificate-parse-cache';
import { installShimLogLevelCheck } from './contract-runtime/shim-logging';
import { installStringParameterHandler } from './contract-runtime/string-parameters';
import { ArtifactsContract } from './artifacts/artifacts-contract';
import { BatchesContract } from './batches/batch-contract';
import { ConsentContract } from './consents/consent-contract';
import { InteractionContract } from './interactions/interaction-contract';
import { ReadLogContract } from './read-log/read-log-contract';
import { SubjectsContract } from './subjects/subjects-contract';

export { ArtifactsContract } from './artifacts/artifacts-contract';
export { BatchesContract } from './batches/batch-contract';
export type { BatchListing } from './batches/batch-indexes';
export { ConsentContract } from './consents/consent-contract';
export { InteractionContract } from './interactions/interaction-contract';
export { ReadLogContract } from './read-log/read-log-contract';
export { SubjectsContract } from './subjects/subjects-contract';
// Each replaces per-call work of the pinned fabric-shim with an equivalent; with another shim the
// shim's own code runs (correct, slower per call).
const notInstalled = [
  installStringParameterHandler() ? [] : ['argument handling'],
  installShimLogLevelCheck() ? [] : ['log level check'],
  installCertificateParseCache() ? [] : ['certificate parse cache'],
].flat();
if (notInstalled.length > 0)
  process.emitWarning(
    `fabric-shim is not the version the chaincode pins: its own code is used for ${notInstalled.join(', ')} (correct, slower per call)`,
  );

export const contracts: (new () => Contract)[] = [
  SubjectsContract,
  ConsentContract,
  ArtifactsContract,
  InteractionContract,
  BatchesContract,
  ReadLogContract,
];
