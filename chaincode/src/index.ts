/**
 * Chaincode entry point: fabric-chaincode-node loads `contracts` from here. The first contract
 * is the default one for unqualified transaction names.
 */
import { ProbeContract } from './probe-contract';

export { ProbeContract } from './probe-contract';
export const contracts: (typeof ProbeContract)[] = [ProbeContract];
