import type { Contract } from '@hyperledger/fabric-gateway';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { AI_PROVIDER, HOSPITAL_A, REGULATOR } from '@aal/network';
import {
  artifactRecord,
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Cursor tampering: a query's bookmark is a ledger key, and Fabric resumes a range scan at whatever
 * key it is given. A member hands a query a bookmark taken from another query — another org's
 * range, another index — or simply writes one, hoping to walk entries its own query would never
 * reach. Every query refuses a bookmark outside its own key range (INVALID_ARGUMENT). Queries
 * write nothing, so there is no ledger state to compare afterwards.
 */
const run = runSuffix();
const clients = new MemberClients();
const model = `adv-cursor-model-${run}`;
const name = `adv-cursor-${run}`;
const subjects = [`HospitalAMSP:adv-cursor-${run}-0`, `HospitalAMSP:adv-cursor-${run}-1`];
type Page = { records: { id?: string; batchId?: string }[]; bookmark: string };

const page = (contract: Contract, transaction: string, filter: Record<string, unknown>): Promise<Page> =>
  evaluateJsonArgs<Page>(contract, transaction, JSON.stringify(filter));

/** The bookmark after the first one-record page of a query; the range holds at least two entries. */
async function bookmarkOf(contract: Contract, transaction: string, filter: Record<string, unknown>): Promise<string> {
  const first = await page(contract, transaction, { ...filter, pageSize: 1 });
  expect(first.records).toHaveLength(1);
  expect(first.bookmark).not.toBe('');
  return first.bookmark;
}

async function expectForeignBookmarkRefused(
  contract: Contract,
  transaction: string,
  filter: Record<string, unknown>,
  bookmark: string,
): Promise<void> {
  const refusal = await codedRefusal(
    contract.evaluateTransaction(transaction, JSON.stringify({ ...filter, pageSize: 1, bookmark })),
  );
  expect({
    transaction,
    filter,
    code: refusal.code,
    paths: refusal.violations?.map((violation) => violation.path),
  }).toEqual({
    transaction,
    filter,
    code: 'INVALID_ARGUMENT',
    paths: ['bookmark'],
  });
}

beforeAll(async () => {
  for (const org of [HOSPITAL_A, AI_PROVIDER]) {
    const recorder = clients.contract(org, 'recorder');
    for (const index of [0, 1]) {
      await submitJson(
        recorder,
        TRANSACTIONS.recordInteraction,
        JSON.stringify(
          interactionRecord(`${org.mspId}:adv-cursor-${run}-${org.slug}-${index}`, { requestModel: model }),
        ),
      );
      await submitJson(
        recorder,
        TRANSACTIONS.recordBatch,
        JSON.stringify([
          interactionRecord(`${org.mspId}:adv-cursor-${run}-${org.slug}-batch-${index}`, { requestModel: model }),
        ]),
      );
    }
  }
  const manager = clients.contract(HOSPITAL_A, 'consent-manager');
  for (const subjectRef of subjects) {
    await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
    for (const index of [0, 1])
      await submitJson(
        manager,
        TRANSACTIONS.grantConsent,
        JSON.stringify(consentRecord(`${subjectRef}-c${index}`, subjectRef)),
      );
  }
  const recorder = clients.contract(AI_PROVIDER, 'recorder');
  for (const index of [0, 1])
    await submitJson(
      recorder,
      TRANSACTIONS.registerArtifact,
      JSON.stringify({ ...artifactRecord(`AIProviderMSP:adv-cursor-${run}-a${index}`, 'other'), name }),
    );
}, 240_000);

afterAll(() => clients.close());

describe('cursor tampering', () => {
  it('QueryInteractions and QueryBatches (old-layout entries only) refuse a bookmark from another org’s range, another index or another query', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    const auditor = clients.contract(REGULATOR, 'auditor');
    // Records and batches of the lean layout write no query entries: these queries find nothing of
    // them (the apps' audit index answers such queries), but they still page entries written before,
    // so a bookmark must stay inside the query's own range.
    expect(await page(auditor, TRANSACTIONS.queryInteractions, { by: 'requestModel', value: model })).toEqual({
      records: [],
      bookmark: '',
    });
    expect(await page(auditor, TRANSACTIONS.queryBatches, { by: 'requestModel', value: model })).toEqual({
      records: [],
      bookmark: '',
    });

    // Bookmarks the ledger hands out on queries that still page (consents, artifacts) …
    const consentBookmark = await bookmarkOf(provider, TRANSACTIONS.queryConsents, {
      by: 'subjectRef',
      value: subjects[0],
    });
    const artifactBookmark = await bookmarkOf(provider, TRANSACTIONS.queryArtifacts, { by: 'name', value: name });
    // … and keys written by hand (index ∘ parts ∘, U+0000-separated, as the previous layout wrote them):
    // HospitalA's entries of the indexes the AIProvider's own queries read, and the AIProvider's own
    // entries of another index.
    const key = (...parts: string[]): string => [...parts, ''].join('\u0000');
    const time = '2026-01-01T00:00:00.000Z';
    const hospitalInteraction = key('interaction-by-org-requestModel', HOSPITAL_A.mspId, model, time, 'x');
    const hospitalByOrg = key('interaction-by-org', HOSPITAL_A.mspId, time, 'x');
    const hospitalBatch = key('batch-by-org-requestModel', HOSPITAL_A.mspId, model, time, 'x');
    const ownInteraction = key('interaction-by-org-requestModel', AI_PROVIDER.mspId, model, time, 'x');
    const ownBatch = key('batch-by-org-requestModel', AI_PROVIDER.mspId, model, time, 'x');

    const byModel = { by: 'requestModel', value: model };
    const ownByOrg = { by: 'org', value: AI_PROVIDER.mspId, order: 'desc' };
    for (const [transaction, filter, foreign] of [
      [
        TRANSACTIONS.queryInteractions,
        byModel,
        [consentBookmark, artifactBookmark, hospitalInteraction, hospitalByOrg, hospitalBatch, ownBatch],
      ],
      [TRANSACTIONS.queryInteractions, ownByOrg, [consentBookmark, hospitalByOrg, ownInteraction]],
      [
        TRANSACTIONS.queryBatches,
        byModel,
        [consentBookmark, artifactBookmark, hospitalBatch, hospitalInteraction, ownInteraction],
      ],
      [TRANSACTIONS.queryBatches, ownByOrg, [artifactBookmark, hospitalBatch, ownBatch]],
    ] as const) {
      for (const bookmark of foreign) await expectForeignBookmarkRefused(provider, transaction, filter, bookmark);
    }

    // Inside its own range a bookmark is taken (no entry of the previous layout follows it here).
    for (const [transaction, bookmark] of [
      [TRANSACTIONS.queryInteractions, ownInteraction],
      [TRANSACTIONS.queryBatches, ownBatch],
    ] as const) {
      expect(await page(provider, transaction, { ...byModel, pageSize: 1, bookmark })).toEqual({
        records: [],
        bookmark: '',
      });
    }
  });

  it('QueryConsents refuses a bookmark from another subject’s range or another index', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    const bookmark = await bookmarkOf(provider, TRANSACTIONS.queryConsents, { by: 'subjectRef', value: subjects[0] });
    await expectForeignBookmarkRefused(
      provider,
      TRANSACTIONS.queryConsents,
      { by: 'subjectRef', value: subjects[1] },
      bookmark,
    );
    await expectForeignBookmarkRefused(
      provider,
      TRANSACTIONS.queryConsents,
      { by: 'grantee', value: AI_PROVIDER.mspId },
      bookmark,
    );
    await expectForeignBookmarkRefused(
      provider,
      TRANSACTIONS.queryConsents,
      { by: 'purpose', value: 'ai-inference' },
      bookmark,
    );
    expect(
      (
        await page(provider, TRANSACTIONS.queryConsents, {
          by: 'subjectRef',
          value: subjects[0],
          pageSize: 1,
          bookmark,
        })
      ).records,
    ).toHaveLength(1);
  });

  it('QueryArtifacts refuses a bookmark from another name’s range or another index', async () => {
    const hospital = clients.contract(HOSPITAL_A, 'recorder');
    const bookmark = await bookmarkOf(hospital, TRANSACTIONS.queryArtifacts, { by: 'name', value: name });
    await expectForeignBookmarkRefused(
      hospital,
      TRANSACTIONS.queryArtifacts,
      { by: 'name', value: `${name}-other` },
      bookmark,
    );
    await expectForeignBookmarkRefused(hospital, TRANSACTIONS.queryArtifacts, { by: 'kind', value: 'other' }, bookmark);
    await expectForeignBookmarkRefused(
      hospital,
      TRANSACTIONS.queryArtifacts,
      { by: 'registeredBy', value: AI_PROVIDER.mspId },
      bookmark,
    );
    expect(
      (await page(hospital, TRANSACTIONS.queryArtifacts, { by: 'name', value: name, pageSize: 1, bookmark })).records,
    ).toHaveLength(1);
  });
});
