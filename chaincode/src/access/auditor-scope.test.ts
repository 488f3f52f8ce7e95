import { AUDITOR_ORGS_ENV, type StoredInteraction } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { BatchesContract } from '../batches/batch-contract';
import { ConsentContract } from '../consents/consent-contract';
import { InteractionContract } from '../interactions/interaction-contract';
import type * as InteractionContractModule from '../interactions/interaction-contract';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { interactionInput } from '../testing/interaction-fixture';
import { addPreviousInteractionIndexes, toPreviousBatchLayout } from '../testing/previous-layout';
import { errorOf } from '../testing/refusal';
import { registerSubject } from '../testing/registered-subject';
import { AUDITOR_ORGS } from './auditor-orgs';
import type * as AuditorOrgsModule from './auditor-orgs';
import { readsEverything } from './caller';

/**
 * Issue 10: every org's CA can mint `role=auditor`, so reading every org's records is for auditors
 * of the configured auditor orgs only (`AAL_AUDITOR_ORGS`, the regulator; set for unit tests by
 * testing/auditor-orgs-env.ts as the network tool sets it); any other org's auditor reads what the
 * org's other roles read.
 */
const interactions = new InteractionContract();
const batches = new BatchesContract();
const consents = new ConsentContract();

const regulatorAuditor: TestIdentity = { mspId: 'RegulatorMSP', role: 'auditor' };
/** An auditor certificate the AI provider's own CA minted: a member acting alone. */
const providerAuditor: TestIdentity = { mspId: 'AIProviderMSP', role: 'auditor' };
const recorderA: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder' };
const recorderP: TestIdentity = { mspId: 'AIProviderMSP', role: 'recorder' };
const managerA: TestIdentity = { mspId: 'HospitalAMSP', role: 'consent-manager' };

type Json = Record<string, unknown>;
const read = async <T = Json>(
  ledger: InMemoryLedger,
  who: TestIdentity,
  call: (ctx: Context) => Promise<string>,
): Promise<T> => JSON.parse(await ledger.evaluate(who, call)) as T;
const ids = (page: { records: { id?: string; batchId?: string }[] }): string[] =>
  page.records.map((entry) => entry.id ?? entry.batchId ?? '');

describe('auditor orgs: configuration', () => {
  it('is read from AAL_AUDITOR_ORGS when the chaincode loads', () => {
    expect([...AUDITOR_ORGS]).toEqual(['RegulatorMSP']);
  });

  it('refuses to load with a malformed value, and reads an absent or empty one as no auditor org', async () => {
    const original = process.env[AUDITOR_ORGS_ENV];
    // Loads a module afresh, as a chaincode server starting with the current environment would.
    const load = <T extends object>(path: string): T => {
      let loaded: T | undefined;
      jest.isolateModules(() => {
        loaded = jest.requireActual<T>(path);
      });
      return loaded as T;
    };
    try {
      process.env[AUDITOR_ORGS_ENV] = 'RegulatorMSP;HospitalAMSP';
      expect(() => load<typeof AuditorOrgsModule>('./auditor-orgs')).toThrow(
        `${AUDITOR_ORGS_ENV} must be comma-separated MSP ids`,
      );
      process.env[AUDITOR_ORGS_ENV] = '';
      expect([...load<typeof AuditorOrgsModule>('./auditor-orgs').AUDITOR_ORGS]).toEqual([]);

      delete process.env[AUDITOR_ORGS_ENV];
      const { InteractionContract: Fresh } = load<typeof InteractionContractModule>(
        '../interactions/interaction-contract',
      );
      const fresh = new Fresh();
      const ledger = new InMemoryLedger();
      await ledger.submit(recorderA, (ctx) =>
        fresh.RecordInteraction(ctx, JSON.stringify(interactionInput('HospitalAMSP:a-1'))),
      );
      // Without configuration no org reads everything, the regulator's auditor included.
      expect(
        await errorOf(ledger.evaluate(regulatorAuditor, (ctx) => fresh.GetInteraction(ctx, 'HospitalAMSP:a-1'))),
      ).toBe("ACCESS_DENIED: access denied: RegulatorMSP may read only its own org's interactions");
    } finally {
      if (original === undefined) delete process.env[AUDITOR_ORGS_ENV];
      else process.env[AUDITOR_ORGS_ENV] = original;
    }
  });

  it('grants reading everything to the auditor role of a configured org only', () => {
    const orgs = new Set(['RegulatorMSP']);
    expect(readsEverything({ mspId: 'RegulatorMSP', role: 'auditor', enrollmentId: 'app-auditor' }, orgs)).toBe(true);
    expect(readsEverything({ mspId: 'AIProviderMSP', role: 'auditor', enrollmentId: 'app-auditor' }, orgs)).toBe(false);
    expect(readsEverything({ mspId: 'RegulatorMSP', role: 'admin', enrollmentId: 'app-admin' }, orgs)).toBe(false);
    expect(readsEverything({ mspId: 'RegulatorMSP', role: undefined, enrollmentId: 'peer0' }, orgs)).toBe(false);
    expect(readsEverything({ mspId: 'RegulatorMSP', role: 'auditor', enrollmentId: 'app-auditor' }, new Set())).toBe(
      false,
    );
  });
});

describe("auditor orgs: another org's auditor reads only its own org's records", () => {
  it('interactions: get, annotations, query by value and by org', async () => {
    const ledger = new InMemoryLedger();
    const storedA = await ledger.submit(recorderA, (ctx) =>
      interactions.RecordInteraction(ctx, JSON.stringify(interactionInput('HospitalAMSP:a-1'))),
    );
    const storedP = await ledger.submit(recorderP, (ctx) =>
      interactions.RecordInteraction(ctx, JSON.stringify(interactionInput('AIProviderMSP:p-1'))),
    );
    // QueryInteractions reads the index entries of the previous layout only (the lean layout writes none).
    await addPreviousInteractionIndexes(
      ledger,
      [storedA, storedP].map((stored) => JSON.parse(stored) as StoredInteraction),
    );
    const denied = "ACCESS_DENIED: access denied: AIProviderMSP may read only its own org's interactions";

    expect(
      await read(ledger, providerAuditor, (ctx) => interactions.GetInteraction(ctx, 'AIProviderMSP:p-1')),
    ).toMatchObject({
      id: 'AIProviderMSP:p-1',
    });
    expect(
      await errorOf(ledger.evaluate(providerAuditor, (ctx) => interactions.GetInteraction(ctx, 'HospitalAMSP:a-1'))),
    ).toBe(denied);
    expect(
      await errorOf(ledger.evaluate(providerAuditor, (ctx) => interactions.GetAnnotations(ctx, 'HospitalAMSP:a-1'))),
    ).toBe(denied);
    const byModel = JSON.stringify({ by: 'requestModel', value: 'gpt-4o' });
    expect(ids(await read(ledger, providerAuditor, (ctx) => interactions.QueryInteractions(ctx, byModel)))).toEqual([
      'AIProviderMSP:p-1',
    ]);
    expect(
      await errorOf(
        ledger.evaluate(providerAuditor, (ctx) =>
          interactions.QueryInteractions(ctx, JSON.stringify({ by: 'org', value: 'HospitalAMSP' })),
        ),
      ),
    ).toBe("ACCESS_DENIED: access denied: AIProviderMSP may read only its own org's interactions");

    expect(
      await read(ledger, regulatorAuditor, (ctx) => interactions.GetInteraction(ctx, 'HospitalAMSP:a-1')),
    ).toMatchObject({
      id: 'HospitalAMSP:a-1',
    });
    expect(ids(await read(ledger, regulatorAuditor, (ctx) => interactions.QueryInteractions(ctx, byModel)))).toEqual([
      'HospitalAMSP:a-1',
      'AIProviderMSP:p-1',
    ]);
  });

  it('batches: header, batched record, inclusion proof, query, and the batched record through GetInteraction', async () => {
    const ledger = new InMemoryLedger();
    const { batchId } = JSON.parse(
      await ledger.submit(recorderA, (ctx) =>
        batches.RecordBatch(ctx, JSON.stringify([interactionInput('HospitalAMSP:b-1')])),
      ),
    ) as { batchId: string };
    const provider = JSON.parse(
      await ledger.submit(recorderP, (ctx) =>
        batches.RecordBatch(ctx, JSON.stringify([interactionInput('AIProviderMSP:q-1')])),
      ),
    ) as { batchId: string };
    // QueryBatches reads the index entries of the previous layout only (the lean layout writes none).
    await toPreviousBatchLayout(ledger, batchId, [interactionInput('HospitalAMSP:b-1') as never]);
    await toPreviousBatchLayout(ledger, provider.batchId, [interactionInput('AIProviderMSP:q-1') as never]);

    for (const call of [
      (ctx: Context) => batches.GetBatch(ctx, batchId),
      (ctx: Context) => batches.GetBatchedInteraction(ctx, 'HospitalAMSP:b-1'),
      (ctx: Context) => batches.GetInclusionProof(ctx, 'HospitalAMSP:b-1'),
      (ctx: Context) => interactions.GetInteraction(ctx, 'HospitalAMSP:b-1'),
    ]) {
      expect(await errorOf(ledger.evaluate(providerAuditor, call))).toMatch(
        /^ACCESS_DENIED: access denied: AIProviderMSP may read only its own org's/,
      );
      await expect(read(ledger, regulatorAuditor, call)).resolves.toBeDefined();
    }
    expect(
      await read(ledger, providerAuditor, (ctx) => batches.GetBatchedInteraction(ctx, 'AIProviderMSP:q-1')),
    ).toMatchObject({
      id: 'AIProviderMSP:q-1',
      org: 'AIProviderMSP',
    });
    const byModel = JSON.stringify({ by: 'requestModel', value: 'gpt-4o' });
    expect(
      (
        await read<{ records: { org: string }[] }>(ledger, providerAuditor, (ctx) => batches.QueryBatches(ctx, byModel))
      ).records.map((entry) => entry.org),
    ).toEqual(['AIProviderMSP']);
    expect(
      (
        await read<{ records: { org: string }[] }>(ledger, regulatorAuditor, (ctx) =>
          batches.QueryBatches(ctx, byModel),
        )
      ).records.map((entry) => entry.org),
    ).toEqual(['HospitalAMSP', 'AIProviderMSP']);
  });

  it("consents: get, history, FHIR export and query of a consent the auditor's org is not party to", async () => {
    const ledger = new InMemoryLedger();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    const consent = {
      id: 'HospitalAMSP:c-1',
      subjectRef: 'HospitalAMSP:subj-1',
      grantees: ['HospitalAMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z', end: '2026-06-30T23:59:59Z' },
      policyCommitment: `hmac-sha256:${'b'.repeat(64)}`,
    };
    await ledger.submit(managerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify(consent)));

    for (const call of [
      (ctx: Context) => consents.GetConsent(ctx, 'HospitalAMSP:c-1'),
      (ctx: Context) => consents.GetConsentHistory(ctx, 'HospitalAMSP:c-1'),
      (ctx: Context) => consents.ExportConsentFHIR(ctx, 'HospitalAMSP:c-1'),
    ]) {
      expect(await errorOf(ledger.evaluate(providerAuditor, call))).toBe(
        'ACCESS_DENIED: access denied: AIProviderMSP is neither controller nor grantee of consent HospitalAMSP:c-1',
      );
      await expect(read(ledger, regulatorAuditor, call)).resolves.toBeDefined();
    }
    const bySubject = JSON.stringify({ by: 'subjectRef', value: 'HospitalAMSP:subj-1' });
    expect(ids(await read(ledger, providerAuditor, (ctx) => consents.QueryConsents(ctx, bySubject)))).toEqual([]);
    expect(ids(await read(ledger, regulatorAuditor, (ctx) => consents.QueryConsents(ctx, bySubject)))).toEqual([
      'HospitalAMSP:c-1',
    ]);
  });
});
