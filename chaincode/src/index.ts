/**
 * Chaincode entry point: fabric-chaincode-node loads `contracts` from here. The first contract
 * is the default one for unqualified transaction names.
 */
import type { Contract } from 'fabric-contract-api';
// Registers the record shapes that @Returns names, for the generated metadata.
import './contract-metadata/record-schemas';
import { ArtifactsContract } from './artifacts/artifacts-contract';
import { BaselineContract } from './baseline-contract';
import { BatchesContract } from './batches/batch-contract';
import { ProbeContract } from './probe-contract';
import { ConsentContract } from './consents/consent-contract';
import { InteractionContract } from './interactions/interaction-contract';
import { SubjectsContract } from './subjects/subjects-contract';

export { ArtifactsContract } from './artifacts/artifacts-contract';
export { BaselineContract } from './baseline-contract';
export { BatchesContract } from './batches/batch-contract';
export { ProbeContract } from './probe-contract';
export { ConsentContract } from './consents/consent-contract';
export { InteractionContract } from './interactions/interaction-contract';
export { SubjectsContract } from './subjects/subjects-contract';
export const contracts: (new () => Contract)[] = [ProbeContract, SubjectsContract, ConsentContract, ArtifactsContract, InteractionContract, BatchesContract, BaselineContract];
