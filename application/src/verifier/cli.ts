/**
 * `npm run verify-proof -- --proof proof.json [--channel hospital-a] [--org regulator]`: checks a
 * batched record's inclusion proof against the batch root read from the ledger — through the org's
 * own peer with the org's auditor identity, never through a REST service — and prints one JSON
 * line. Exit 0: verified; 1: refused (the code says why); 2: usage or connection problem.
 */
import { parseRecordProof, RecordProofError, verifyRecordProof } from '@aal/ledger-contract';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { GatewayProfile } from '../config';
import { parseVerifyProofArguments, USAGE, UsageError } from './cli-options';
import { LedgerBatchReader } from './ledger-batch-reader';
import { LedgerEvidenceError } from './verifier-error';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${what}: no file at ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${what}: ${file} is not valid JSON (${String(error)})`);
  }
}

function recordIdOf(record: unknown): string | undefined {
  const id = (record as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseVerifyProofArguments(argv, process.env, REPO_ROOT);
  const proof = parseRecordProof(readJson(options.proofFile, '--proof'));
  const record = options.recordFile === undefined ? proof.record : readJson(options.recordFile, '--record');
  // The ledger is asked where *this* record's id lives, so a proof borrowed from another record fails.
  const id = recordIdOf(record) ?? recordIdOf(proof.record);
  if (id === undefined) throw new UsageError('the record has no id');
  const profile = readJson(options.profileFile, 'gateway profile') as GatewayProfile;
  const reader = new LedgerBatchReader(profile, options.role, options.channel);
  try {
    const ledgerBatch = await reader.batchOfRecord(id);
    const verified = verifyRecordProof(record, proof, ledgerBatch);
    console.log(
      JSON.stringify({
        verified: true,
        id,
        ...verified,
        org: ledgerBatch.org,
        txTime: ledgerBatch.txTime,
        validationCode: ledgerBatch.validationCode,
        readBy: `${profile.mspId}/${options.role}`,
      }),
    );
    return 0;
  } finally {
    reader.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof RecordProofError || error instanceof LedgerEvidenceError) {
      console.log(JSON.stringify({ verified: false, code: error.code, message: error.message }));
      process.exitCode = 1;
    } else if (error instanceof UsageError) {
      console.error(`${error.message}\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 2;
    }
  },
);
