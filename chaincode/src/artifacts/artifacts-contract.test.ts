import type { StoredConsent } from '@aal/ledger-contract';
import { ConsentContract } from '../consents/consent-contract';
import { writeConsent } from '../consents/consent-store';
import { SubjectsContract } from '../subjects/subjects-contract';
import { registerSubject } from '../testing/registered-subject';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { errorOf, refusalOf } from '../testing/refusal';
import { ArtifactsContract } from './artifacts-contract';

const contract = new ArtifactsContract();
const as = (mspId: string, role?: string): TestIdentity => ({ mspId, role });
const hospitalRecorder = as('HospitalAMSP', 'recorder');
const providerRecorder = as('AIProviderMSP', 'recorder');
const digest = (char: string): string => char.repeat(64);

interface Artifact {
  id: string;
  kind: string;
  name: string;
  version: string;
  sha256: string;
  uri?: string;
  parents?: string[];
  consentIds?: string[];
  [field: string]: unknown;
}

const dataset = (id: string, consentIds: string[], extra: Partial<Artifact> = {}): Artifact => ({
  id,
  kind: 'dataset',
  name: 'discharge-notes',
  version: '2026.1',
  sha256: digest('a'),
  consentIds,
  ...extra,
});
const model = (id: string, extra: Partial<Artifact> = {}): Artifact => ({
  id,
  kind: 'model',
  name: 'triage-llm',
  version: '1.0',
  sha256: digest('b'),
  ...extra,
});

function consent(overrides: Partial<StoredConsent> & { id: string }): StoredConsent {
  return {
    subjectRef: `subject-of-${overrides.id}`,
    grantees: ['AIProviderMSP'],
    decision: 'permit',
    purposes: ['model-training'],
    period: { start: '2025-01-01T00:00:00Z', end: '2027-01-01T00:00:00Z' },
    policyCommitment: `hmac-sha256:${'c'.repeat(64)}`,
    controller: 'HospitalAMSP',
    grantedBy: 'app-consent-manager',
    grantedAt: '2025-01-01T00:00:00.000Z',
    txId: 'tx-consent',
    ...overrides,
  };
}

async function withConsents(ledger: InMemoryLedger, ...consents: StoredConsent[]): Promise<void> {
  for (const stored of consents) {
    await ledger.submit(as('HospitalAMSP', 'consent-manager'), (ctx) =>
      writeConsent(ctx, stored, { withIndexes: true }),
    );
  }
}

const registerArtifact = (
  ledger: InMemoryLedger,
  artifact: unknown,
  identity = hospitalRecorder,
  txTime?: string,
): Promise<string> =>
  ledger.submit(identity, (ctx) => contract.RegisterArtifact(ctx, JSON.stringify(artifact)), txTime ? { txTime } : {});

const recordRun = (
  ledger: InMemoryLedger,
  run: unknown,
  identity = providerRecorder,
  txTime?: string,
): Promise<string> =>
  ledger.submit(identity, (ctx) => contract.RecordTrainingRun(ctx, JSON.stringify(run)), txTime ? { txTime } : {});

describe('Artifacts:RegisterArtifact', () => {
  it('stores the artifact with the registering org from the certificate, and emits ArtifactRegistered', async () => {
    const ledger = new InMemoryLedger();
    const json = await registerArtifact(
      ledger,
      model('AIProviderMSP:m-1', { uri: 's3://models/m-1', registeredBy: undefined }),
      providerRecorder,
      '2026-02-01T08:00:00.000Z',
    );
    const stored = JSON.parse(json) as Record<string, unknown>;
    expect(stored).toEqual({
      id: 'AIProviderMSP:m-1',
      kind: 'model',
      name: 'triage-llm',
      version: '1.0',
      sha256: digest('b'),
      uri: 's3://models/m-1',
      registeredBy: 'AIProviderMSP',
      registeredByUser: 'app-recorder',
      txId: ledger.events[0]?.txId,
      txTime: '2026-02-01T08:00:00.000Z',
    });
    expect(ledger.events).toEqual([
      {
        name: 'ArtifactRegistered',
        payload: {
          id: 'AIProviderMSP:m-1',
          kind: 'model',
          name: 'triage-llm',
          version: '1.0',
          sha256: digest('b'),
          registeredBy: 'AIProviderMSP',
        },
        txId: stored.txId,
      },
    ]);
    expect(
      await ledger.evaluate(as('RegulatorMSP', 'auditor'), (ctx) => contract.GetArtifact(ctx, 'AIProviderMSP:m-1')),
    ).toBe(json);
  });

  it('refuses an org field in input: the org is never taken from input', async () => {
    expect(
      await errorOf(
        registerArtifact(new InMemoryLedger(), model('AIProviderMSP:m-1', { registeredBy: 'HospitalBMSP' })),
      ),
    ).toContain('INVALID_ARGUMENT: registeredBy: is not a known field');
  });

  it('validates strictly, names every failing field and writes nothing', async () => {
    const ledger = new InMemoryLedger();
    const bad = {
      id: 'bad id',
      kind: 'weights',
      name: '',
      version: 'v1\n',
      sha256: digest('A'),
      uri: 'no scheme',
      parents: ['HospitalAMSP:p', 'HospitalAMSP:p'],
      extra: 1,
    };
    const refused = registerArtifact(ledger, bad);
    for (const message of [
      'id: must match',
      'kind: must be one of dataset, model, other',
      'name: must be 1 to 128 characters',
      'version: must be ASCII letters, digits',
      'sha256: must be 64 lowercase hex characters',
      'uri: must be an absolute URI',
      'parents: must not contain duplicates',
      'extra: is not a known field',
    ]) {
      expect(await errorOf(refused)).toContain(message);
    }
    expect(await errorOf(registerArtifact(ledger, { id: 'HospitalAMSP:x' }))).toContain(
      'INVALID_ARGUMENT: kind: is required; name: is required; version: is required; sha256: is required',
    );
    expect(
      await errorOf(registerArtifact(ledger, model('AIProviderMSP:m-1', { parents: ['AIProviderMSP:m-1'] }))),
    ).toContain("parents: must not contain the artifact's own id");
    expect(
      await errorOf(
        ledger.submit(hospitalRecorder, (ctx) =>
          contract.RegisterArtifact(ctx, '{"id":"m","__proto__":{"kind":"model"}}'),
        ),
      ),
    ).toContain("artifact: must not contain the key '__proto__'");
    expect(
      await errorOf(ledger.submit(hospitalRecorder, (ctx) => contract.RegisterArtifact(ctx, '{not json'))),
    ).toContain('artifact: must be valid JSON');
    expect(
      await errorOf(
        registerArtifact(ledger, model('AIProviderMSP:m-1', { uri: `s3://${'HospitalAMSP:x'.repeat(70_000)}` })),
      ),
    ).toContain('artifact: must be at most 65536 bytes');
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
  });

  it('lets recorders and admins register; consent managers, auditors and role-less identities may not', async () => {
    const ledger = new InMemoryLedger();
    await registerArtifact(ledger, model('HospitalAMSP:m-r'), as('HospitalAMSP', 'recorder'));
    await registerArtifact(ledger, model('HospitalAMSP:m-a'), as('HospitalAMSP', 'admin'));
    for (const role of ['consent-manager', 'auditor', undefined]) {
      expect(
        await errorOf(registerArtifact(ledger, model(`HospitalAMSP:m-${role ?? 'none'}`), as('HospitalAMSP', role))),
      ).toMatch(/^ACCESS_DENIED/);
    }
  });

  it('is write-once and idempotent: same input (any field order) returns the stored record; different input or another org conflicts', async () => {
    const ledger = new InMemoryLedger();
    const first = await registerArtifact(ledger, model('HospitalAMSP:m-1'));
    const reordered = {
      version: '1.0',
      sha256: digest('b'),
      name: 'triage-llm',
      kind: 'model',
      id: 'HospitalAMSP:m-1',
    };
    expect(await registerArtifact(ledger, reordered)).toBe(first);
    expect(ledger.events).toHaveLength(1);
    expect(await errorOf(registerArtifact(ledger, model('HospitalAMSP:m-1', { sha256: digest('f') })))).toContain(
      'CONFLICT: artifact HospitalAMSP:m-1 already exists with different content (registered by HospitalAMSP)',
    );
    expect(await errorOf(registerArtifact(ledger, model('HospitalAMSP:m-1'), providerRecorder))).toMatch(/^CONFLICT/);
    expect(await ledger.evaluate(hospitalRecorder, (ctx) => contract.GetArtifact(ctx, 'HospitalAMSP:m-1'))).toBe(first);
  });

  it('needs every parent (lineage) and every consent to exist, listing each missing one', async () => {
    const ledger = new InMemoryLedger();
    await withConsents(ledger, consent({ id: 'HospitalAMSP:c-1' }));
    await registerArtifact(ledger, model('HospitalAMSP:base'));
    expect(
      await refusalOf(
        registerArtifact(
          ledger,
          dataset('HospitalAMSP:d-1', ['HospitalAMSP:c-1', 'c-missing'], {
            parents: ['HospitalAMSP:base', 'HospitalAMSP:ghost'],
          }),
        ),
      ),
    ).toEqual({
      code: 'NOT_FOUND',
      message:
        'parents[1]: artifact HospitalAMSP:ghost does not exist; consentIds[1]: consent c-missing does not exist',
      reasons: [
        { path: 'parents[1]', reason: 'artifact HospitalAMSP:ghost does not exist' },
        { path: 'consentIds[1]', reason: 'consent c-missing does not exist' },
      ],
    });
    const child = JSON.parse(
      await registerArtifact(ledger, model('HospitalAMSP:fine-tuned', { parents: ['HospitalAMSP:base'] })),
    ) as {
      parents: string[];
    };
    expect(child.parents).toEqual(['HospitalAMSP:base']);
    expect(JSON.parse(await registerArtifact(ledger, dataset('HospitalAMSP:d-1', ['HospitalAMSP:c-1'])))).toMatchObject(
      { consentIds: ['HospitalAMSP:c-1'] },
    );
  });
});

describe('Artifacts:RegisterArtifact lists only the registering org’s own consents', () => {
  it('refuses an artifact listing a consent another org controls (PRECONDITION_FAILED per consent), writing nothing', async () => {
    const ledger = new InMemoryLedger();
    // HospitalAMSP:c-1 and HospitalAMSP:c-2 are HospitalA's, granted to the AIProvider: real consents a trainer could try to use as cover.
    await withConsents(
      ledger,
      consent({ id: 'HospitalAMSP:c-1' }),
      consent({ id: 'HospitalAMSP:c-2' }),
      consent({ id: 'HospitalAMSP:c-prov', controller: 'AIProviderMSP' }),
    );
    const keysBefore = ledger.keys();
    const eventsBefore = ledger.events.length;
    const reason = (id: string): string =>
      `consent ${id} is not controlled by AIProviderMSP: an org lists only its own consents`;
    expect(
      await refusalOf(
        registerArtifact(
          ledger,
          dataset('AIProviderMSP:d-cover', ['HospitalAMSP:c-prov', 'HospitalAMSP:c-1', 'HospitalAMSP:c-2']),
          providerRecorder,
        ),
      ),
    ).toEqual({
      code: 'PRECONDITION_FAILED',
      message: `artifact AIProviderMSP:d-cover refused: consentIds[1]: ${reason('HospitalAMSP:c-1')}; consentIds[2]: ${reason('HospitalAMSP:c-2')}`,
      reasons: [
        { path: 'consentIds[1]', reason: reason('HospitalAMSP:c-1') },
        { path: 'consentIds[2]', reason: reason('HospitalAMSP:c-2') },
      ],
    });
    expect(
      (
        await refusalOf(
          registerArtifact(
            ledger,
            model('AIProviderMSP:m-cover', { consentIds: ['HospitalAMSP:c-1'] }),
            providerRecorder,
          ),
        )
      ).code,
    ).toBe('PRECONDITION_FAILED');
    expect(ledger.keys()).toEqual(keysBefore);
    expect(ledger.events).toHaveLength(eventsBefore);

    // Each controller lists its own.
    expect(
      JSON.parse(
        await registerArtifact(ledger, dataset('AIProviderMSP:d-own', ['HospitalAMSP:c-prov']), providerRecorder),
      ),
    ).toMatchObject({
      registeredBy: 'AIProviderMSP',
      consentIds: ['HospitalAMSP:c-prov'],
    });
    expect(
      JSON.parse(
        await registerArtifact(ledger, dataset('HospitalAMSP:d-hospital', ['HospitalAMSP:c-1', 'HospitalAMSP:c-2'])),
      ),
    ).toMatchObject({
      registeredBy: 'HospitalAMSP',
      consentIds: ['HospitalAMSP:c-1', 'HospitalAMSP:c-2'],
    });
  });
});

describe('Artifacts:GetArtifact and VerifyArtifact', () => {
  it('lets every role of every org read and verify; answers NOT_FOUND for unknown ids and validates input', async () => {
    const ledger = new InMemoryLedger();
    await registerArtifact(ledger, model('HospitalAMSP:m-1'));
    for (const identity of [
      as('RegulatorMSP', 'auditor'),
      as('AIProviderMSP', 'consent-manager'),
      as('HospitalAMSP', 'admin'),
    ]) {
      const match = await ledger.evaluate(identity, (ctx) =>
        contract.VerifyArtifact(ctx, 'HospitalAMSP:m-1', digest('b')),
      );
      expect(JSON.parse(match)).toEqual({ id: 'HospitalAMSP:m-1', match: true, registeredSha256: digest('b') });
    }
    const mismatch = await ledger.evaluate(hospitalRecorder, (ctx) =>
      contract.VerifyArtifact(ctx, 'HospitalAMSP:m-1', digest('0')),
    );
    expect(JSON.parse(mismatch)).toEqual({ id: 'HospitalAMSP:m-1', match: false, registeredSha256: digest('b') });
    expect(
      await errorOf(
        ledger.evaluate(hospitalRecorder, (ctx) => contract.VerifyArtifact(ctx, 'HospitalAMSP:m-1', 'abc')),
      ),
    ).toMatch(/^INVALID_ARGUMENT: sha256/);
    expect(
      await errorOf(ledger.evaluate(hospitalRecorder, (ctx) => contract.VerifyArtifact(ctx, 'nope', digest('b')))),
    ).toContain('NOT_FOUND: artifact nope does not exist');
    expect(await errorOf(ledger.evaluate(hospitalRecorder, (ctx) => contract.GetArtifact(ctx, 'a b')))).toMatch(
      /^INVALID_ARGUMENT: id/,
    );
    expect(
      await errorOf(ledger.evaluate(as('HospitalAMSP'), (ctx) => contract.GetArtifact(ctx, 'AIProviderMSP:m-1'))),
    ).toMatch(/^ACCESS_DENIED/);
  });
});

describe('Artifacts:QueryArtifacts', () => {
  async function catalogue(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await withConsents(ledger, consent({ id: 'HospitalAMSP:c-1' }));
    for (let index = 0; index < 5; index++)
      await registerArtifact(
        ledger,
        dataset(`HospitalAMSP:d-${index}`, ['HospitalAMSP:c-1'], { name: `set-${index % 2}` }),
      );
    await registerArtifact(ledger, model('AIProviderMSP:m-1'), providerRecorder);
    await registerArtifact(ledger, model('AIProviderMSP:m-2'), providerRecorder);
    return ledger;
  }
  const query = async (
    ledger: InMemoryLedger,
    filter: unknown,
  ): Promise<{ records: { id: string }[]; bookmark: string }> =>
    JSON.parse(
      await ledger.evaluate(as('RegulatorMSP', 'auditor'), (ctx) =>
        contract.QueryArtifacts(ctx, JSON.stringify(filter)),
      ),
    ) as {
      records: { id: string }[];
      bookmark: string;
    };

  it('pages one kind in registration order with bookmarks until an empty bookmark', async () => {
    const ledger = await catalogue();
    const pages: string[][] = [];
    let bookmark = '';
    do {
      const page = await query(ledger, { by: 'kind', value: 'dataset', pageSize: 2, bookmark });
      pages.push(page.records.map((record) => record.id));
      bookmark = page.bookmark;
    } while (bookmark !== '');
    expect(pages).toEqual([
      ['HospitalAMSP:d-0', 'HospitalAMSP:d-1'],
      ['HospitalAMSP:d-2', 'HospitalAMSP:d-3'],
      ['HospitalAMSP:d-4'],
    ]);
  });

  it('filters by name and by registering org', async () => {
    const ledger = await catalogue();
    expect((await query(ledger, { by: 'name', value: 'set-1' })).records.map((record) => record.id)).toEqual([
      'HospitalAMSP:d-1',
      'HospitalAMSP:d-3',
    ]);
    expect(
      (await query(ledger, { by: 'registeredBy', value: 'AIProviderMSP' })).records.map((record) => record.id),
    ).toEqual(['AIProviderMSP:m-1', 'AIProviderMSP:m-2']);
    expect(await query(ledger, { by: 'registeredBy', value: 'HospitalBMSP' })).toEqual({ records: [], bookmark: '' });
    expect((await query(ledger, { by: 'kind', value: 'model' })).records[0]).toMatchObject({
      id: 'AIProviderMSP:m-1',
      sha256: digest('b'),
    });
  });

  it('validates the filter', async () => {
    const ledger = await catalogue();
    expect(
      await errorOf(query(ledger, { by: 'sha256', value: 'HospitalAMSP:x', pageSize: 1001, extra: true })),
    ).toContain(
      'INVALID_ARGUMENT: by: must be one of kind, name, registeredBy; pageSize: must be an integer from 1 to 1000; extra: is not a known field',
    );
    expect(await errorOf(query(ledger, { by: 'kind' }))).toBe('INVALID_ARGUMENT: value: is required');
    expect(await errorOf(query(ledger, { by: 'kind', value: 'model', pageSize: 0 }))).toBe(
      'INVALID_ARGUMENT: pageSize: must be an integer from 1 to 1000',
    );
  });
});

describe('Artifacts:RecordTrainingRun', () => {
  const RUN_TIME = '2026-06-01T12:00:00.000Z';
  async function registry(...consents: StoredConsent[]): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    await withConsents(ledger, ...consents);
    await registerArtifact(ledger, model('AIProviderMSP:m-1'), providerRecorder);
    return ledger;
  }

  it('accepts a run whose datasets’ consents all cover model-training for the caller’s org, records the coverage and emits TrainingRunRecorded', async () => {
    const ledger = await registry(
      consent({ id: 'HospitalAMSP:c-1' }),
      consent({ id: 'HospitalAMSP:c-2', grantees: ['HospitalBMSP', 'AIProviderMSP'] }),
    );
    await registerArtifact(ledger, dataset('HospitalAMSP:d-1', ['HospitalAMSP:c-1', 'HospitalAMSP:c-2']));
    await registerArtifact(ledger, dataset('HospitalAMSP:d-2', ['HospitalAMSP:c-2']));
    const run = {
      id: 'AIProviderMSP:run-1',
      modelArtifactId: 'AIProviderMSP:m-1',
      datasetArtifactIds: ['HospitalAMSP:d-1', 'HospitalAMSP:d-2'],
      startTime: '2026-06-02T00:00:00Z',
      notesCommitment: `hmac-sha256:${'e'.repeat(64)}`,
    };
    const json = await recordRun(ledger, run, providerRecorder, RUN_TIME);
    const stored = JSON.parse(json) as Record<string, unknown>;
    expect(stored).toEqual({
      ...run,
      org: 'AIProviderMSP',
      recordedBy: 'app-recorder',
      txId: stored.txId,
      txTime: RUN_TIME,
      consentCoverage: [
        { datasetArtifactId: 'HospitalAMSP:d-1', consentIds: ['HospitalAMSP:c-1', 'HospitalAMSP:c-2'] },
        { datasetArtifactId: 'HospitalAMSP:d-2', consentIds: ['HospitalAMSP:c-2'] },
      ],
    });
    expect(ledger.events.at(-1)).toEqual({
      name: 'TrainingRunRecorded',
      payload: {
        id: 'AIProviderMSP:run-1',
        modelArtifactId: 'AIProviderMSP:m-1',
        datasetArtifactIds: ['HospitalAMSP:d-1', 'HospitalAMSP:d-2'],
        org: 'AIProviderMSP',
      },
      txId: stored.txId,
    });
    expect(
      await ledger.evaluate(as('RegulatorMSP', 'auditor'), (ctx) =>
        contract.GetTrainingRun(ctx, 'AIProviderMSP:run-1'),
      ),
    ).toBe(json);
    // Write-once: a retry returns the stored run (no second event); other content conflicts.
    expect(await recordRun(ledger, run)).toBe(json);
    expect(ledger.events.filter((event) => event.name === 'TrainingRunRecorded')).toHaveLength(1);
    expect(await errorOf(recordRun(ledger, { ...run, notesCommitment: `hmac-sha256:${'f'.repeat(64)}` }))).toMatch(
      /^CONFLICT: training run AIProviderMSP:run-1 already exists/,
    );
  });

  it('refuses with one reason per failing dataset (and the model), and writes nothing', async () => {
    const ledger = await registry(
      consent({ id: 'HospitalAMSP:c-ok' }),
      consent({ id: 'HospitalAMSP:c-research', purposes: ['research'] }),
      consent({ id: 'HospitalAMSP:c-other-grantee', grantees: ['HospitalBMSP'] }),
      consent({
        id: 'HospitalAMSP:c-revoked',
        revokedAt: '2026-03-01T00:00:00.000Z',
        revokedBy: 'app-consent-manager',
        revocationReason: 'withdrawn-by-controller',
      }),
      consent({ id: 'HospitalAMSP:c-expired', period: { start: '2025-01-01T00:00:00Z', end: '2026-01-31T00:00:00Z' } }),
      consent({ id: 'HospitalAMSP:c-permit', subjectRef: 's-denier' }),
      consent({ id: 'HospitalAMSP:c-deny', subjectRef: 's-denier', decision: 'deny' }),
    );
    await registerArtifact(ledger, dataset('HospitalAMSP:d-ok', ['HospitalAMSP:c-ok']));
    await registerArtifact(ledger, dataset('HospitalAMSP:d-purpose', ['HospitalAMSP:c-ok', 'HospitalAMSP:c-research']));
    await registerArtifact(ledger, dataset('HospitalAMSP:d-grantee', ['HospitalAMSP:c-other-grantee']));
    await registerArtifact(
      ledger,
      dataset('HospitalAMSP:d-revoked', ['HospitalAMSP:c-revoked', 'HospitalAMSP:c-expired']),
    );
    await registerArtifact(ledger, dataset('HospitalAMSP:d-denied', ['HospitalAMSP:c-permit']));
    await registerArtifact(ledger, dataset('HospitalAMSP:d-none', []));
    await registerArtifact(ledger, model('HospitalAMSP:not-a-dataset'));
    const keysBefore = ledger.keys();
    const eventsBefore = ledger.events.length;

    const refused = recordRun(
      ledger,
      {
        id: 'AIProviderMSP:run-x',
        modelArtifactId: 'AIProviderMSP:m-ghost',
        datasetArtifactIds: [
          'HospitalAMSP:d-ok',
          'HospitalAMSP:d-purpose',
          'HospitalAMSP:d-grantee',
          'HospitalAMSP:d-revoked',
          'HospitalAMSP:d-denied',
          'HospitalAMSP:d-none',
          'HospitalAMSP:d-ghost',
          'HospitalAMSP:not-a-dataset',
        ],
      },
      providerRecorder,
      RUN_TIME,
    );
    const reasons = [
      { path: 'modelArtifactId', reason: 'model AIProviderMSP:m-ghost is not registered' },
      {
        path: 'datasetArtifactIds[1]',
        reason: 'dataset HospitalAMSP:d-purpose: consent HospitalAMSP:c-research does not cover model-training',
      },
      {
        path: 'datasetArtifactIds[2]',
        reason: 'dataset HospitalAMSP:d-grantee: consent HospitalAMSP:c-other-grantee does not name AIProviderMSP',
      },
      {
        path: 'datasetArtifactIds[3]',
        reason: `dataset HospitalAMSP:d-revoked: consent HospitalAMSP:c-revoked is revoked at ${RUN_TIME}`,
      },
      {
        path: 'datasetArtifactIds[3]',
        reason: `dataset HospitalAMSP:d-revoked: consent HospitalAMSP:c-expired is expired at ${RUN_TIME}`,
      },
      {
        path: 'datasetArtifactIds[4]',
        reason: 'dataset HospitalAMSP:d-denied: consent HospitalAMSP:c-deny denies model-training for AIProviderMSP',
      },
      {
        path: 'datasetArtifactIds[5]',
        reason: 'dataset HospitalAMSP:d-none lists no consents, so nothing covers model-training',
      },
      { path: 'datasetArtifactIds[6]', reason: 'dataset HospitalAMSP:d-ghost is not registered' },
      {
        path: 'datasetArtifactIds[7]',
        reason: 'dataset HospitalAMSP:not-a-dataset is registered as model, not dataset',
      },
    ];
    expect(await refusalOf(refused)).toEqual({
      code: 'PRECONDITION_FAILED',
      message: `training run AIProviderMSP:run-x refused: ${reasons.map((entry) => `${entry.path}: ${entry.reason}`).join('; ')}`,
      reasons,
    });
    expect(ledger.keys()).toEqual(keysBefore);
    expect(ledger.events).toHaveLength(eventsBefore);
  });

  it('judges consents at the transaction time and for the caller’s org as grantee', async () => {
    const ledger = await registry(
      consent({ id: 'HospitalAMSP:c-1', period: { start: '2026-05-01T00:00:00Z', end: '2026-07-01T00:00:00Z' } }),
    );
    await registerArtifact(ledger, dataset('HospitalAMSP:d-1', ['HospitalAMSP:c-1']));
    const run = {
      id: 'AIProviderMSP:run-t',
      modelArtifactId: 'AIProviderMSP:m-1',
      datasetArtifactIds: ['HospitalAMSP:d-1'],
    };
    expect(await errorOf(recordRun(ledger, run, providerRecorder, '2026-04-30T23:59:59.000Z'))).toContain(
      'consent HospitalAMSP:c-1 is pending',
    );
    expect(
      await errorOf(recordRun(ledger, { ...run, id: 'HospitalBMSP:run-t' }, as('HospitalBMSP', 'recorder'), RUN_TIME)),
    ).toContain('consent HospitalAMSP:c-1 does not name HospitalBMSP');
    expect(JSON.parse(await recordRun(ledger, run, providerRecorder, RUN_TIME))).toMatchObject({
      id: 'AIProviderMSP:run-t',
      org: 'AIProviderMSP',
    });
  });

  it('refuses a self-attested run: a consent the training org controls itself never counts', async () => {
    const ledger = await registry(consent({ id: 'HospitalAMSP:c-hospital' }));
    // The trainer registers a dummy subject of its own and grants itself model-training, through the real contracts.
    await registerSubject(ledger, 'AIProviderMSP', 'AIProviderMSP:dummy');
    const selfGrant = {
      id: 'AIProviderMSP:c-self',
      subjectRef: 'AIProviderMSP:dummy',
      grantees: ['AIProviderMSP'],
      decision: 'permit',
      purposes: ['model-training'],
      period: { start: '2025-01-01T00:00:00Z' },
      policyCommitment: `hmac-sha256:${'c'.repeat(64)}`,
    };
    await ledger.submit(as('AIProviderMSP', 'consent-manager'), (ctx) =>
      new ConsentContract().GrantConsent(ctx, JSON.stringify(selfGrant)),
    );
    // Its own dataset may list its own consent; the hospital's dataset lists the hospital's.
    await registerArtifact(ledger, dataset('AIProviderMSP:d-self', ['AIProviderMSP:c-self']), providerRecorder);
    await registerArtifact(ledger, dataset('HospitalAMSP:d-hospital', ['HospitalAMSP:c-hospital']));
    const keysBefore = ledger.keys();
    const reason =
      'consent AIProviderMSP:c-self is controlled by AIProviderMSP, the training org itself: a trainer cannot attest its own consents';
    // Mixed with a properly covered dataset, the self-attested one still sinks the run.
    expect(
      await refusalOf(
        recordRun(
          ledger,
          {
            id: 'AIProviderMSP:run-self',
            modelArtifactId: 'AIProviderMSP:m-1',
            datasetArtifactIds: ['HospitalAMSP:d-hospital', 'AIProviderMSP:d-self'],
          },
          providerRecorder,
          RUN_TIME,
        ),
      ),
    ).toEqual({
      code: 'PRECONDITION_FAILED',
      message: `training run AIProviderMSP:run-self refused: datasetArtifactIds[1]: dataset AIProviderMSP:d-self: ${reason}`,
      reasons: [{ path: 'datasetArtifactIds[1]', reason: `dataset AIProviderMSP:d-self: ${reason}` }],
    });
    expect(ledger.keys()).toEqual(keysBefore);
  });

  it('refuses a run whose dataset lists a consent of an erased subject', async () => {
    const ledger = await registry();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    await withConsents(ledger, consent({ id: 'HospitalAMSP:c-1', subjectRef: 'HospitalAMSP:subj-1' }));
    await registerArtifact(ledger, dataset('HospitalAMSP:d-1', ['HospitalAMSP:c-1']));
    const subjects = new SubjectsContract();
    await ledger.submit(as('HospitalAMSP', 'admin'), (ctx) => subjects.EraseSubject(ctx, 'HospitalAMSP:subj-1'));
    await ledger.submit(
      as('HospitalAMSP', 'admin'),
      (ctx) => subjects.RecordErasureReceipt(ctx, 'HospitalAMSP:subj-1'),
      { txTime: '2026-05-01T00:00:00.000Z' },
    );
    expect(
      (
        await refusalOf(
          recordRun(
            ledger,
            {
              id: 'AIProviderMSP:run-e',
              modelArtifactId: 'AIProviderMSP:m-1',
              datasetArtifactIds: ['HospitalAMSP:d-1'],
            },
            providerRecorder,
            RUN_TIME,
          ),
        )
      ).reasons,
    ).toEqual([
      {
        path: 'datasetArtifactIds[0]',
        reason: 'dataset HospitalAMSP:d-1: subject HospitalAMSP:subj-1 was erased at 2026-05-01T00:00:00.000Z',
      },
    ]);
  });

  it('is for recorders and admins, validates the run, and GetTrainingRun answers NOT_FOUND for unknown runs', async () => {
    const ledger = await registry(consent({ id: 'HospitalAMSP:c-1' }));
    await registerArtifact(ledger, dataset('HospitalAMSP:d-1', ['HospitalAMSP:c-1']));
    const run = {
      id: 'AIProviderMSP:run-r',
      modelArtifactId: 'AIProviderMSP:m-1',
      datasetArtifactIds: ['HospitalAMSP:d-1'],
    };
    for (const role of ['consent-manager', 'auditor', undefined]) {
      expect(await errorOf(recordRun(ledger, run, as('AIProviderMSP', role), RUN_TIME))).toMatch(/^ACCESS_DENIED/);
    }
    expect(JSON.parse(await recordRun(ledger, run, as('AIProviderMSP', 'admin'), RUN_TIME))).toMatchObject({
      recordedBy: 'app-admin',
    });
    expect(
      await errorOf(
        recordRun(ledger, {
          id: 'HospitalAMSP:r',
          modelArtifactId: 'AIProviderMSP:m-1',
          datasetArtifactIds: [],
          startTime: 'yesterday',
          org: 'HospitalAMSP:x',
        }),
      ),
    ).toContain(
      'INVALID_ARGUMENT: datasetArtifactIds: must have 1 to 100 items; startTime: must be an RFC 3339 date-time with a time zone (e.g. 2026-01-31T12:00:00Z); org: is not a known field',
    );
    expect(
      await errorOf(
        recordRun(ledger, {
          id: 'HospitalAMSP:r',
          modelArtifactId: 'AIProviderMSP:m-1',
          datasetArtifactIds: ['HospitalAMSP:d-1', 'HospitalAMSP:d-1'],
        }),
      ),
    ).toContain('datasetArtifactIds: must not contain duplicates');
    expect(await errorOf(ledger.evaluate(hospitalRecorder, (ctx) => contract.GetTrainingRun(ctx, 'nope')))).toContain(
      'NOT_FOUND: training run nope does not exist',
    );
  });
});

describe('Artifacts: artifact and training-run ids are in the creating org’s namespace', () => {
  it('refuses an id in no namespace (INVALID_ARGUMENT) and in another org’s (CONFLICT) before reading state, writing nothing', async () => {
    const ledger = new InMemoryLedger();
    const rule = "must be in the caller's namespace ('AIProviderMSP:…')";
    expect(await refusalOf(registerArtifact(ledger, model('m-1'), providerRecorder))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: `id: ${rule}`,
      violations: [{ path: 'id', rule }],
    });
    expect(await errorOf(registerArtifact(ledger, model('HospitalAMSP:m-1'), providerRecorder))).toBe(
      "CONFLICT: id: artifact id HospitalAMSP:m-1 belongs to HospitalAMSP: AIProviderMSP creates artifacts only in its own namespace ('AIProviderMSP:…')",
    );
    const run = { modelArtifactId: 'AIProviderMSP:m-1', datasetArtifactIds: ['HospitalAMSP:d-1'] };
    expect(await refusalOf(recordRun(ledger, { ...run, id: 'run-1' }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      violations: [{ path: 'id', rule }],
    });
    expect(await errorOf(recordRun(ledger, { ...run, id: 'HospitalAMSP:run-1' }))).toBe(
      "CONFLICT: id: training run id HospitalAMSP:run-1 belongs to HospitalAMSP: AIProviderMSP creates training runs only in its own namespace ('AIProviderMSP:…')",
    );
    expect(ledger.keys()).toEqual([]);
    expect(ledger.events).toEqual([]);
  });
});
