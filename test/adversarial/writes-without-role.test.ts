import type { Contract } from '@hyperledger/fabric-gateway';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRANSACTIONS, type StoredAnnotation } from '@aal/ledger-contract';
import { AI_PROVIDER, type AppRole, HOSPITAL_A, REGULATOR } from '@aal/network';
import { chaincodeMessage, contractErrorOf } from '../support/chaincode-calls';
import {
  artifactRecord,
  codedRefusal,
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  interactionRecord,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Writes without a role, or by an auditor: HospitalA's auditor identity, and an identity of
 * HospitalA's CA whose certificate carries no role attribute at all (the client identity issued for
 * HospitalA's chaincode server — a channel Writer like any app user), call every submit transaction
 * the chaincode declares with arguments that are valid for HospitalA. Each is refused ACCESS_DENIED
 * and the ledger is unchanged; the same calls by a role that may make them then succeed, so the
 * role alone was the reason.
 */
const run = runSuffix();
const clients = new MemberClients();
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const randomHex = (): string => randomBytes(32).toString('hex');
const own = { endorsingOrganizations: [HOSPITAL_A.mspId] };

const fixtures = {
  subject: `HospitalAMSP:adv-norole-${run}`,
  consent: `HospitalAMSP:adv-norole-${run}`,
  interaction: `HospitalAMSP:adv-norole-${run}`,
  providerSubject: `AIProviderMSP:adv-norole-${run}`,
  providerConsent: `AIProviderMSP:adv-norole-${run}-provider`,
  dataset: `AIProviderMSP:adv-norole-${run}-dataset`,
  model: `HospitalAMSP:adv-norole-${run}-model`,
};
let subjectKey = '';
let contentKey = '';

/** HospitalA's reads, by the roles that may make them. */
const reader = (role: AppRole = 'recorder'): Contract => clients.contract(HOSPITAL_A, role);
const auditorRead = (): Contract => clients.contract(REGULATOR, 'auditor');

/** One submit transaction: how to call it validly as HospitalA, and how to see that it wrote nothing. */
interface Attempt {
  /** A role that may make the call (the control). */
  readonly allowedRole: AppRole;
  /** Calls it with arguments unique to `tag`. */
  call(contract: Contract, tag: string): Promise<unknown>;
  /** Fails unless the ledger still lacks what `call(…, tag)` would have written. */
  unchanged(tag: string): Promise<void>;
}

const notFound = async (contract: Contract, name: string, ...args: string[]): Promise<void> => {
  expect({ name, args, read: await readRefusalCode(contract, name, ...args) }).toEqual({
    name,
    args,
    read: 'NOT_FOUND',
  });
};
const batchIds = (tag: string): string[] => [
  `HospitalAMSP:adv-norole-${run}-${tag}-batch-0`,
  `HospitalAMSP:adv-norole-${run}-${tag}-batch-1`,
];
const listIds = (tag: string): string[] => [
  `HospitalAMSP:adv-norole-${run}-${tag}-list-0`,
  `HospitalAMSP:adv-norole-${run}-${tag}-list-1`,
];

/** In the order the control runs them: erasure last, since it ends the fixture subject. */
const ATTEMPTS: Record<string, Attempt> = {
  [TRANSACTIONS.initOrgKeys]: {
    allowedRole: 'admin',
    call: (contract) =>
      contract.submit(TRANSACTIONS.initOrgKeys, {
        transientData: { contentKey: utf8(randomHex()), lookupPepper: utf8(randomHex()) },
        ...own,
      }),
    unchanged: async () =>
      expect(await evaluateJsonArgs(reader(), TRANSACTIONS.getOrgContentKey)).toEqual({ contentKey }),
  },
  [TRANSACTIONS.registerSubject]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submit(TRANSACTIONS.registerSubject, {
        transientData: {
          identifier: utf8(`norole-${tag}-${run}`),
          subjectRef: utf8(`HospitalAMSP:adv-norole-${run}-${tag}`),
          subjectKey: utf8(randomHex()),
        },
        ...own,
      }),
    unchanged: (tag) => notFound(reader(), TRANSACTIONS.getSubjectKey, `HospitalAMSP:adv-norole-${run}-${tag}`),
  },
  [TRANSACTIONS.grantConsent]: {
    allowedRole: 'consent-manager',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.grantConsent,
        JSON.stringify(consentRecord(`${fixtures.consent}-${tag}`, fixtures.subject)),
      ),
    unchanged: (tag) => notFound(auditorRead(), TRANSACTIONS.getConsent, `${fixtures.consent}-${tag}`),
  },
  [TRANSACTIONS.revokeConsent]: {
    allowedRole: 'consent-manager',
    call: (contract) =>
      contract.submitTransaction(TRANSACTIONS.revokeConsent, fixtures.consent, 'withdrawn-by-controller'),
    unchanged: async () => {
      const consent = await evaluateJsonArgs<{ status: string; revokedAt?: string }>(
        auditorRead(),
        TRANSACTIONS.getConsent,
        fixtures.consent,
      );
      expect([consent.status, consent.revokedAt]).toEqual(['active', undefined]);
    },
  },
  [TRANSACTIONS.registerArtifact]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.registerArtifact,
        JSON.stringify(artifactRecord(`HospitalAMSP:adv-norole-${run}-${tag}`, 'other')),
      ),
    unchanged: (tag) => notFound(auditorRead(), TRANSACTIONS.getArtifact, `HospitalAMSP:adv-norole-${run}-${tag}`),
  },
  [TRANSACTIONS.recordTrainingRun]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.recordTrainingRun,
        JSON.stringify({
          id: `HospitalAMSP:adv-norole-${run}-${tag}`,
          modelArtifactId: fixtures.model,
          datasetArtifactIds: [fixtures.dataset],
        }),
      ),
    unchanged: (tag) => notFound(auditorRead(), TRANSACTIONS.getTrainingRun, `HospitalAMSP:adv-norole-${run}-${tag}`),
  },
  [TRANSACTIONS.recordInteraction]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.recordInteraction,
        JSON.stringify(interactionRecord(`HospitalAMSP:adv-norole-${run}-${tag}`)),
      ),
    unchanged: (tag) => notFound(auditorRead(), TRANSACTIONS.getInteraction, `HospitalAMSP:adv-norole-${run}-${tag}`),
  },
  [TRANSACTIONS.recordInteractions]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.recordInteractions,
        JSON.stringify(listIds(tag).map((id) => interactionRecord(id))),
      ),
    unchanged: async (tag) => {
      for (const id of listIds(tag)) await notFound(auditorRead(), TRANSACTIONS.getInteraction, id);
    },
  },
  [TRANSACTIONS.annotateInteraction]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.annotateInteraction,
        fixtures.interaction,
        JSON.stringify({ id: `HospitalAMSP:adv-norole-${tag}`, kind: 'flag', severity: 'low' }),
      ),
    unchanged: async (tag) => {
      const annotations = await evaluateJsonArgs<{ records: StoredAnnotation[] }>(
        auditorRead(),
        TRANSACTIONS.getAnnotations,
        fixtures.interaction,
      );
      expect(annotations.records.map((annotation) => annotation.id)).not.toContain(`HospitalAMSP:adv-norole-${tag}`);
    },
  },
  [TRANSACTIONS.recordBatch]: {
    allowedRole: 'recorder',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.recordBatch,
        JSON.stringify(batchIds(tag).map((id) => interactionRecord(id))),
      ),
    unchanged: async (tag) => {
      for (const id of batchIds(tag)) {
        await notFound(auditorRead(), TRANSACTIONS.getBatchedInteraction, id);
        await notFound(auditorRead(), TRANSACTIONS.getInteraction, id);
      }
    },
  },
  [TRANSACTIONS.anchorReads]: {
    allowedRole: 'admin',
    call: (contract, tag) =>
      contract.submitTransaction(
        TRANSACTIONS.anchorReads,
        JSON.stringify({
          log: `adv-norole-${run}-${tag}`,
          seq: 1,
          head: randomHex(),
          window: { from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:01Z' },
          readsByOwner: { [HOSPITAL_A.mspId]: 1 },
        }),
      ),
    unchanged: (tag) =>
      notFound(auditorRead(), TRANSACTIONS.getLatestReadAnchor, HOSPITAL_A.mspId, `adv-norole-${run}-${tag}`),
  },
  [TRANSACTIONS.eraseSubject]: {
    allowedRole: 'admin',
    call: (contract) => contract.submit(TRANSACTIONS.eraseSubject, { arguments: [fixtures.subject], ...own }),
    unchanged: async () =>
      expect(await evaluateJsonArgs(reader(), TRANSACTIONS.getSubjectKey, fixtures.subject)).toEqual({ subjectKey }),
  },
  [TRANSACTIONS.recordErasureReceipt]: {
    allowedRole: 'admin',
    call: (contract) => contract.submitTransaction(TRANSACTIONS.recordErasureReceipt, fixtures.subject),
    unchanged: () => notFound(auditorRead(), TRANSACTIONS.getErasureReceipt, fixtures.subject),
  },
};

interface Metadata {
  readonly contracts: Record<
    string,
    { readonly transactions: readonly { readonly name: string; readonly tag?: readonly string[] }[] }
  >;
}

/** Every submit transaction the deployed chaincode declares (its metadata), as `Contract:Transaction`. */
async function declaredSubmitTransactions(): Promise<string[]> {
  const metadata = await evaluateJsonArgs<Metadata>(reader(), 'org.hyperledger.fabric:GetMetadata');
  return Object.entries(metadata.contracts)
    .filter(([contract]) => !contract.startsWith('org.hyperledger.fabric'))
    .flatMap(([contract, { transactions }]) =>
      transactions
        .filter((transaction) => transaction.tag?.includes('SUBMIT') === true)
        .map((transaction) => `${contract}:${transaction.name}`),
    )
    .sort();
}

beforeAll(async () => {
  subjectKey = (await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, fixtures.subject)).subjectKey;
  contentKey = (await evaluateJsonArgs<{ contentKey: string }>(reader(), TRANSACTIONS.getOrgContentKey)).contentKey;
  await submitJson(
    reader('consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(consentRecord(fixtures.consent, fixtures.subject)),
  );
  await submitJson(reader(), TRANSACTIONS.recordInteraction, JSON.stringify(interactionRecord(fixtures.interaction)));
  // A dataset HospitalA may train on: its consent is controlled by another org (the AIProvider) and names HospitalA.
  await registerSubjectOnLedger(AI_PROVIDER, HOSPITAL_A_CHANNEL, fixtures.providerSubject);
  await submitJson(
    clients.contract(AI_PROVIDER, 'consent-manager'),
    TRANSACTIONS.grantConsent,
    JSON.stringify(
      consentRecord(fixtures.providerConsent, fixtures.providerSubject, {
        grantees: [HOSPITAL_A.mspId],
        purposes: ['model-training'],
      }),
    ),
  );
  // Registered by the consent's controller: a dataset lists only its registering org's consents.
  await submitJson(
    clients.contract(AI_PROVIDER, 'recorder'),
    TRANSACTIONS.registerArtifact,
    JSON.stringify(artifactRecord(fixtures.dataset, 'dataset', { consentIds: [fixtures.providerConsent] })),
  );
  await submitJson(reader(), TRANSACTIONS.registerArtifact, JSON.stringify(artifactRecord(fixtures.model, 'model')));
}, 180_000);

afterAll(() => clients.close());

describe('writes without a role, or by an auditor', () => {
  it('the attempts below cover every submit transaction the deployed chaincode declares', async () => {
    expect(await declaredSubmitTransactions()).toEqual(Object.keys(ATTEMPTS).sort());
  });

  it('the role-less identity really has no role: a client certificate of HospitalA’s CA without a role attribute', () => {
    const certificate = clients.rolelessCertificate(HOSPITAL_A);
    expect(certificate.subject).toContain('OU=client');
    expect(certificate.raw.toString('latin1')).not.toContain('"role"');
  });

  it.each([
    ['HospitalA’s auditor', 'auditor'],
    ['HospitalA’s role-less identity', 'roleless'],
  ] as const)(
    '%s is refused every submit transaction (ACCESS_DENIED), and the ledger is unchanged',
    async (_, who) => {
      const contract =
        who === 'auditor' ? clients.contract(HOSPITAL_A, 'auditor') : clients.rolelessContract(HOSPITAL_A);
      for (const [name, attempt] of Object.entries(ATTEMPTS)) {
        const refusal = await codedRefusal(attempt.call(contract, who));
        expect({ name, code: refusal.code }).toEqual({ name, code: 'ACCESS_DENIED' });
      }
      for (const attempt of Object.values(ATTEMPTS)) await attempt.unchanged(who);
    },
    240_000,
  );

  it('the same calls by a role that may make them succeed (so the role alone was refused)', async () => {
    for (const [name, attempt] of Object.entries(ATTEMPTS)) {
      const contract = reader(attempt.allowedRole);
      // The erasure receipt is checked by every endorser against its own copy of the purge, which
      // other orgs' peers commit a moment after HospitalA's: retry a refused precondition briefly.
      for (let tries = 1; ; tries++) {
        const outcome = await attempt.call(contract, 'control').then(
          () => undefined,
          (error: unknown) => error,
        );
        if (outcome === undefined) break;
        if (tries >= 20 || contractErrorOf(outcome)?.code !== 'PRECONDITION_FAILED')
          throw new Error(`${name} as ${attempt.allowedRole} failed: ${chaincodeMessage(outcome)}`);
        await sleep(500);
      }
    }
    expect(await evaluateJsonArgs(auditorRead(), TRANSACTIONS.getErasureReceipt, fixtures.subject)).toMatchObject({
      subjectRef: fixtures.subject,
      org: HOSPITAL_A.mspId,
    });
  }, 240_000);
});
