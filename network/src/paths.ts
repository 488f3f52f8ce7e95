import { resolve } from 'node:path';

/** The repository root: network state, chaincode packages and the CCAAS builder are found from here. */
export const REPO_ROOT = resolve(__dirname, '..', '..');
