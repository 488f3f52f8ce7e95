import type { Gateway } from '@hyperledger/fabric-gateway';
import { HOSPITAL_A } from '@aal/network';
import { channelHeight, transactionsWrittenSince } from '../support/channel-blocks';
import { HOSPITAL_A_CHANNEL, MemberClients } from '../support/deviating-member';
import {
  acceptedWrites,
  beyondOrgKeyInitialisation,
  ensureSchemathesis,
  fuzzedOperations,
  operationsByRole,
  runSchemathesis,
  writesNotAccountedFor,
  type FuzzResult,
} from '../support/schemathesis';
import { loadTestEnvironment } from '../support/test-network';

/**
 * API conformance (issue 15): Schemathesis, driven by HospitalA's published OpenAPI document,
 * against its REST app on the real network. Every operation (but the event stream) is called with
 * a key of a role that may call it, a bounded number of cases each. Schema-invalid requests must
 * all be refused and write nothing: the blocks added meanwhile hold only the apps' background
 * read-log anchors and the writes of the few "negative" cases Schemathesis itself judges valid
 * once serialized, which the app accepts (test/support/schemathesis.ts: writesNotAccountedFor).
 * Schema-valid ones must not be refused for their shape, and those refused for the ledger's state
 * write nothing either; no answer may be a server error or differ from the document.
 */
const EXAMPLES_PER_OPERATION = 5;
const FUZZ_TIMEOUT_MS = 8 * 60_000;

const environment = loadTestEnvironment();
const appUrl = environment.apps.HospitalA ?? '';
const keys = environment.apiKeys.HospitalA ?? {};
const clients = new MemberClients();
let st = '';
let groups = new Map<string, string[]>();

afterAll(() => clients.close());

beforeAll(async () => {
  st = await ensureSchemathesis();
  groups = operationsByRole(await (await fetch(`${appUrl}/openapi.json`)).json());
}, FUZZ_TIMEOUT_MS);

/** HospitalA's peer, as its auditor reads the channel's blocks. */
const hospitalAPeer = (): Gateway => clients.gateway(HOSPITAL_A, 'auditor').gateway;

/** Runs every role's operations in one mode; the output of a failing run is the assertion's message. */
async function fuzz(mode: 'positive' | 'negative'): Promise<FuzzResult[]> {
  const results: FuzzResult[] = [];
  for (const [role, allOperationIds] of groups) {
    const operationIds = fuzzedOperations(mode, allOperationIds);
    const apiKey = (keys as Record<string, string>)[role];
    if (apiKey === undefined) throw new Error(`no test key for role ${role}`);
    const result = await runSchemathesis({
      st,
      appUrl,
      apiKey,
      mode,
      maxExamples: EXAMPLES_PER_OPERATION,
      operationIds,
    });
    const accepted = acceptedWrites([result]);
    process.stdout.write(
      `[api-fuzz] ${mode} ${role}: ${operationIds.length} operations, ${result.calls.length} requests ` +
        `(${accepted.length} writes accepted), ${result.seconds.toFixed(1)} s\n`,
    );
    // The accounting of writes below rests on the hook's log of every request.
    expect(result.calls.length).toBeGreaterThan(0);
    results.push(result);
  }
  return results;
}

function failures(results: readonly FuzzResult[]): string {
  return results
    .filter((result) => result.exitCode !== 0)
    .map((result) => result.output)
    .join('\n');
}

describe('API conformance: Schemathesis against the published OpenAPI document', () => {
  it(
    'refuses every schema-invalid request, documented and without a server error, and none adds a block',
    async () => {
      const before = await channelHeight(hospitalAPeer(), HOSPITAL_A_CHANNEL);
      const results = await fuzz('negative');
      expect(failures(results)).toBe('');
      const written = await transactionsWrittenSince(hospitalAPeer(), HOSPITAL_A_CHANNEL, before);
      expect(writesNotAccountedFor(written, results)).toEqual([]);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'accepts every schema-valid request (or refuses it for the ledger state, writing nothing), answering as documented',
    async () => {
      const before = await channelHeight(hospitalAPeer(), HOSPITAL_A_CHANNEL);
      const results = await fuzz('positive');
      expect(failures(results)).toBe('');
      // Refused for the ledger's state (404, 409, 422: the chaincode was called), still nothing written.
      const written = await transactionsWrittenSince(hospitalAPeer(), HOSPITAL_A_CHANNEL, before);
      const unaccounted = writesNotAccountedFor(written, results);
      process.stdout.write(
        `[api-fuzz] positive: ${written.length} transactions written, ${unaccounted.length} not by an accepted request\n`,
      );
      expect(beyondOrgKeyInitialisation(unaccounted)).toEqual([]);
    },
    FUZZ_TIMEOUT_MS,
  );
});
