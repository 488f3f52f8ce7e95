import { common, peer } from '@hyperledger/fabric-protos';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { HOSPITAL_A } from '@aal/network';
import { HOSPITAL_A_CHANNEL, MemberClients } from '../support/deviating-member';
import { ensureSchemathesis, operationsByRole, runSchemathesis, type FuzzResult } from '../support/schemathesis';
import { loadTestEnvironment } from '../support/test-network';

/**
 * API conformance (issue 15): Schemathesis, driven by HospitalA's published OpenAPI document,
 * against its REST app on the real network. Every operation (but the event stream) is called with
 * a key of a role that may call it, a bounded number of cases each. Schema-invalid requests must
 * all be refused and write nothing (the blocks added meanwhile hold only the apps' background
 * read-log anchors); schema-valid ones must not be
 * refused for their shape; no answer may be a server error or differ from the document.
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

/** The channel's height on HospitalA's peer. */
async function height(): Promise<number> {
  const info = await clients
    .gateway(HOSPITAL_A, 'auditor')
    .gateway.getNetwork(HOSPITAL_A_CHANNEL)
    .getContract('qscc')
    .evaluateTransaction('GetChainInfo', HOSPITAL_A_CHANNEL);
  return common.BlockchainInfo.deserializeBinary(info).getHeight();
}

/**
 * The chaincode functions the transactions of blocks `from`..`to` (exclusive) invoked, as
 * HospitalA's peer holds them (config transactions as `config`).
 */
async function functionsInBlocks(from: number, to: number): Promise<string[]> {
  const qscc = clients.gateway(HOSPITAL_A, 'auditor').gateway.getNetwork(HOSPITAL_A_CHANNEL).getContract('qscc');
  const names: string[] = [];
  for (let number = from; number < to; number++) {
    const block = common.Block.deserializeBinary(
      await qscc.evaluateTransaction('GetBlockByNumber', HOSPITAL_A_CHANNEL, String(number)),
    );
    for (const bytes of block.getData()?.getDataList_asU8() ?? []) {
      const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(bytes).getPayload_asU8());
      const header = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      );
      if (header.getType() !== common.HeaderType.ENDORSER_TRANSACTION) {
        names.push('config');
        continue;
      }
      const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
      const proposal = peer.ChaincodeProposalPayload.deserializeBinary(
        peer.ChaincodeActionPayload.deserializeBinary(
          action?.getPayload_asU8() ?? new Uint8Array(),
        ).getChaincodeProposalPayload_asU8(),
      );
      const args =
        peer.ChaincodeInvocationSpec.deserializeBinary(proposal.getInput_asU8())
          .getChaincodeSpec()
          ?.getInput()
          ?.getArgsList_asU8() ?? [];
      names.push(Buffer.from(args[0] ?? new Uint8Array()).toString('utf8'));
    }
  }
  return names;
}

/** Runs every role's operations in one mode; the output of a failing run is the assertion's message. */
async function fuzz(mode: 'positive' | 'negative'): Promise<FuzzResult[]> {
  const results: FuzzResult[] = [];
  for (const [role, operationIds] of groups) {
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
    process.stdout.write(
      `[api-fuzz] ${mode} ${role}: ${operationIds.length} operations, ${result.seconds.toFixed(1)} s\n`,
    );
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
      const before = await height();
      const results = await fuzz('negative');
      expect(failures(results)).toBe('');
      // The shared network's apps keep anchoring their auditor-read logs in the background (for the
      // reads earlier test files made): a block the run added may hold those, and nothing else.
      const written = await functionsInBlocks(before, await height());
      expect(written.filter((name) => name !== TRANSACTIONS.anchorReads)).toEqual([]);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'accepts every schema-valid request (or refuses it for the ledger state), answering as documented',
    async () => {
      const results = await fuzz('positive');
      expect(failures(results)).toBe('');
    },
    FUZZ_TIMEOUT_MS,
  );
});
