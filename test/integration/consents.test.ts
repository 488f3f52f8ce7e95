import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ChaincodeEvent,
  type CloseableAsyncIterable,
  type Contract,
  type Network,
} from '@hyperledger/fabric-gateway';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  APP_ROLES,
  type AppRole,
  CHAINCODE_NAME,
  HOSPITAL_A,
  HOSPITAL_B,
  type OrgSpec,
  REGULATOR,
} from '@aal/network';
import { refusal } from '../support/chaincode-calls';
import { testGateway, type TestGateway } from '../support/gateway';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * The Consents contract on the real network: who may grant, revoke and read, the consent lifecycle
 * as seen by the Interactions contract's verdict at commit time, and the events a listener receives.
 */
const run = Date.now().toString(36);
const decoder = new TextDecoder();
const gateways: TestGateway[] = [];
const COMMITMENT = `hmac-sha256:${'f'.repeat(64)}`;
type Json = Record<string, unknown>;

function networkOf(org: OrgSpec, role: AppRole, channel = 'hospital-a', peerOrg: OrgSpec = org): Network {
  const client = testGateway(org, role, peerOrg);
  gateways.push(client);
  return client.gateway.getNetwork(channel);
}
const contractOf = (org: OrgSpec, role: AppRole, channel = 'hospital-a', peerOrg: OrgSpec = org): Contract =>
  networkOf(org, role, channel, peerOrg).getContract(CHAINCODE_NAME);

afterAll(() => {
  for (const client of gateways) client.close();
});

const parse = (bytes: Uint8Array): Json => JSON.parse(decoder.decode(bytes)) as Json;
const submit = async (contract: Contract, name: string, ...args: string[]): Promise<Json> =>
  parse(await contract.submitTransaction(name, ...args));
const evaluate = async (contract: Contract, name: string, ...args: string[]): Promise<Json> =>
  parse(await contract.evaluateTransaction(name, ...args));

/** Waits (bounded) until the peer behind `contract` has committed the revocation of consent `id`. */
async function committedOn(contract: Contract, id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await evaluate(contract, TRANSACTIONS.getConsent, id)).revokedAt === undefined) {
    if (Date.now() > deadline) throw new Error(`the revocation of ${id} did not reach the peer within 10 s`);
    await sleep(100);
  }
}

function consent(id: string, overrides: Json = {}): Json {
  return {
    id,
    subjectRef: `HospitalAMSP:subj-${run}`,
    grantees: ['AIProviderMSP'],
    decision: 'permit',
    purposes: ['ai-inference'],
    period: { start: '2026-01-01T00:00:00Z' },
    policyCommitment: COMMITMENT,
    ...overrides,
  };
}

function interaction(id: string, overrides: Json = {}): Json {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10, outputTokens: 5, source: 'provider' },
    cost: { status: 'priced', amountMinor: 4, currency: 'EUR' },
    latencyMs: 1000,
    status: 'ok',
    applicationId: 'summary-app',
    promptCommitment: COMMITMENT,
    subjectRef: `HospitalAMSP:subj-${run}`,
    purpose: 'ai-inference',
    ...overrides,
  };
}

/** Reads chaincode events until one satisfies `match`, or fails after `timeoutMs`. */
async function nextEvent(
  events: CloseableAsyncIterable<ChaincodeEvent>,
  match: (event: ChaincodeEvent) => boolean,
  timeoutMs = 30_000,
): Promise<ChaincodeEvent> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no matching chaincode event in time')), timeoutMs);
  });
  const search = (async (): Promise<ChaincodeEvent> => {
    for await (const event of events) if (match(event)) return event;
    throw new Error('the event stream ended');
  })();
  try {
    return await Promise.race([search, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(async () => {
  for (const subjectRef of [`HospitalAMSP:subj-${run}`, `HospitalAMSP:pseudo-${run}`, `HospitalAMSP:deny-${run}`])
    await registerSubjectOnLedger(HOSPITAL_A, 'hospital-a', subjectRef);
});

describe('Consents on the network', () => {
  it('refuses a grant about another org’s subject (namespaced subject references)', async () => {
    const refused = await refusal(
      submit(
        contractOf(AI_PROVIDER, 'consent-manager'),
        TRANSACTIONS.grantConsent,
        JSON.stringify(
          consent(`AIProviderMSP:it-foreign-${run}`, {
            subjectRef: `HospitalAMSP:pseudo-${run}`,
            purposes: ['model-training'],
          }),
        ),
      ),
    );
    expect(refused).toContain(
      `ACCESS_DENIED: access denied: only the org that owns subject HospitalAMSP:pseudo-${run} (HospitalAMSP) may grant consents about it`,
    );
    expect(
      await refusal(
        evaluate(contractOf(REGULATOR, 'auditor'), TRANSACTIONS.getConsent, `AIProviderMSP:it-foreign-${run}`),
      ),
    ).toContain('NOT_FOUND');
  });

  it('lets only consent-managers grant, with their own org as controller (every role × org on hospital-a)', async () => {
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      // Each org grants about a subject it registered in its own namespace (the chaincode refuses any other).
      const subjectRef = `${org.mspId}:subj-${run}`;
      await registerSubjectOnLedger(org, 'hospital-a', subjectRef);
      for (const role of APP_ROLES) {
        const id = `${org.mspId}:it-c-${org.slug}-${role}-${run}`;
        const call = submit(
          contractOf(org, role),
          TRANSACTIONS.grantConsent,
          JSON.stringify(consent(id, { subjectRef })),
        );
        if (role === 'consent-manager') expect(await call).toMatchObject({ id, controller: org.mspId });
        else expect(await refusal(call)).toContain(`ACCESS_DENIED: access denied: role '${role}' of ${org.mspId}`);
      }
    }
  });

  it('lets auditors, the controller org and grantee orgs read; revocation only by the controller’s consent-manager', async () => {
    const id = `HospitalAMSP:it-read-${run}`;
    await submit(contractOf(HOSPITAL_A, 'consent-manager'), TRANSACTIONS.grantConsent, JSON.stringify(consent(id)));
    for (const org of [HOSPITAL_A, AI_PROVIDER, REGULATOR]) {
      for (const role of APP_ROLES) {
        const contract = contractOf(org, role);
        const mayRead = role === 'auditor' || org !== REGULATOR;
        for (const name of [TRANSACTIONS.getConsent, TRANSACTIONS.getConsentHistory, TRANSACTIONS.exportConsentFhir]) {
          if (mayRead) expect(await evaluate(contract, name, id)).toBeDefined();
          else expect(await refusal(evaluate(contract, name, id))).toContain('ACCESS_DENIED');
        }
        const page = (await evaluate(
          contract,
          TRANSACTIONS.queryConsents,
          JSON.stringify({ by: 'subjectRef', value: `HospitalAMSP:subj-${run}` }),
        )) as { records: { id: string }[] };
        expect(page.records.some((record) => record.id === id)).toBe(mayRead);
        // The Regulator's other roles neither read the consent nor may ask about another org's subject for another org.
        const checked = evaluate(
          contract,
          TRANSACTIONS.checkConsent,
          `HospitalAMSP:subj-${run}`,
          'ai-inference',
          'AIProviderMSP',
          '',
        );
        if (mayRead) expect(await checked).toMatchObject({ allowed: true });
        else expect(await refusal(checked)).toContain('ACCESS_DENIED');
      }
    }
    expect(await evaluate(contractOf(REGULATOR, 'auditor'), TRANSACTIONS.exportConsentFhir, id)).toMatchObject({
      resourceType: 'Consent',
      status: 'active',
      decision: 'permit',
      subject: { identifier: { value: `HospitalAMSP:subj-${run}` } },
      controller: [{ identifier: { value: 'HospitalAMSP' } }],
    });
    for (const [org, role] of [
      [AI_PROVIDER, 'consent-manager'],
      [HOSPITAL_A, 'recorder'],
      [HOSPITAL_A, 'admin'],
      [REGULATOR, 'auditor'],
    ] as const) {
      expect(await refusal(submit(contractOf(org, role), TRANSACTIONS.revokeConsent, id, 'other'))).toContain(
        'ACCESS_DENIED',
      );
    }
  });

  it('runs the lifecycle: grant, permitted use, revocation, a violation verdict stored and emitted, full history', async () => {
    const id = `HospitalAMSP:it-life-${run}`;
    const listenerNetwork = networkOf(REGULATOR, 'auditor');
    const events = await listenerNetwork.getChaincodeEvents(CHAINCODE_NAME);
    try {
      const manager = contractOf(HOSPITAL_A, 'consent-manager');
      const granted = await submit(
        manager,
        TRANSACTIONS.grantConsent,
        JSON.stringify(consent(id, { subjectRef: `HospitalAMSP:pseudo-${run}` })),
      );
      const grantEvent = await nextEvent(
        events,
        (event) => event.eventName === 'ConsentGranted' && parse(event.payload).id === id,
      );
      expect(parse(grantEvent.payload)).toEqual({
        controller: 'HospitalAMSP',
        decision: 'permit',
        id,
        txTime: granted.grantedAt,
      });
      expect(decoder.decode(grantEvent.payload)).not.toContain(`HospitalAMSP:pseudo-${run}`);

      const recorder = contractOf(AI_PROVIDER, 'recorder');
      const allowed = await submit(
        recorder,
        TRANSACTIONS.recordInteraction,
        JSON.stringify(interaction(`AIProviderMSP:it-ok-${run}`, { subjectRef: `HospitalAMSP:pseudo-${run}` })),
      );
      expect(allowed.consentCheck).toEqual({
        allowed: true,
        consentId: id,
        reason: `consent ${id} permits ai-inference for AIProviderMSP or AIProviderMSP:summary-app`,
      });

      const revoked = await submit(manager, TRANSACTIONS.revokeConsent, id, 'subject-request');
      expect(revoked).toMatchObject({ revokedBy: 'app-consent-manager', revocationReason: 'subject-request' });
      const revokeEvent = await nextEvent(
        events,
        (event) => event.eventName === 'ConsentRevoked' && parse(event.payload).id === id,
      );
      expect(revokeEvent.transactionId).toBe(revoked.revocationTxId);
      // The revocation committed on HospitalA's peer (the submit's) and the Regulator's (the event's);
      // the AI provider's peer, which the checks below ask, may commit the block a moment later.
      await committedOn(recorder, id);
      expect(
        await evaluate(
          recorder,
          TRANSACTIONS.checkConsent,
          `HospitalAMSP:pseudo-${run}`,
          'ai-inference',
          'AIProviderMSP',
          '',
        ),
      ).toMatchObject({ allowed: false });
      expect(
        await evaluate(
          recorder,
          TRANSACTIONS.checkConsent,
          `HospitalAMSP:pseudo-${run}`,
          'ai-inference',
          'AIProviderMSP',
          String(granted.grantedAt),
        ),
      ).toMatchObject({
        allowed: true,
        consentId: id,
      });

      const violating = await submit(
        recorder,
        TRANSACTIONS.recordInteraction,
        JSON.stringify(interaction(`AIProviderMSP:it-violation-${run}`, { subjectRef: `HospitalAMSP:pseudo-${run}` })),
      );
      expect(violating.consentCheck).toEqual({
        allowed: false,
        reason: `no active consent of the subject covers ai-inference for AIProviderMSP or AIProviderMSP:summary-app (${id} is revoked)`,
      });
      const violation = await nextEvent(
        events,
        (event) => event.eventName === 'ConsentViolation' && event.transactionId === violating.txId,
      );
      expect(parse(violation.payload)).toEqual({
        ids: [`AIProviderMSP:it-violation-${run}`],
        violations: [{ id: `AIProviderMSP:it-violation-${run}`, reason: (violating.consentCheck as Json).reason }],
      });
      expect(
        await evaluate(
          contractOf(REGULATOR, 'auditor'),
          TRANSACTIONS.getInteraction,
          `AIProviderMSP:it-violation-${run}`,
        ),
      ).toEqual(violating);

      const history = (await evaluate(contractOf(REGULATOR, 'auditor'), TRANSACTIONS.getConsentHistory, id)) as {
        records: { txId: string; isDelete: boolean; consent: Json }[];
      };
      expect(history.records.map((entry) => entry.txId)).toEqual([revoked.revocationTxId, granted.txId]);
      expect(history.records[1]?.consent).toEqual(granted);
      expect(await evaluate(manager, TRANSACTIONS.getConsent, id)).toMatchObject({ status: 'revoked' });
      expect(await evaluate(manager, TRANSACTIONS.exportConsentFhir, id)).toMatchObject({ status: 'inactive' });
    } finally {
      events.close();
    }
  });

  it('lets a deny win over a permit on the real ledger', async () => {
    const manager = contractOf(HOSPITAL_A, 'consent-manager');
    const subject = `HospitalAMSP:deny-${run}`;
    await submit(
      manager,
      TRANSACTIONS.grantConsent,
      JSON.stringify(consent(`HospitalAMSP:it-permit-${run}`, { subjectRef: subject })),
    );
    await submit(
      manager,
      TRANSACTIONS.grantConsent,
      JSON.stringify(consent(`HospitalAMSP:it-deny-${run}`, { subjectRef: subject, decision: 'deny' })),
    );
    expect(
      await evaluate(
        contractOf(AI_PROVIDER, 'recorder'),
        TRANSACTIONS.checkConsent,
        subject,
        'ai-inference',
        'AIProviderMSP',
        '',
      ),
    ).toEqual({
      allowed: false,
      consentId: `HospitalAMSP:it-deny-${run}`,
      reason: `consent HospitalAMSP:it-deny-${run} denies ai-inference for AIProviderMSP`,
    });
  });

  it('keeps consents to their channel', async () => {
    const id = `HospitalAMSP:it-channel-${run}`;
    await submit(contractOf(HOSPITAL_A, 'consent-manager'), TRANSACTIONS.grantConsent, JSON.stringify(consent(id)));
    expect(
      await refusal(evaluate(contractOf(REGULATOR, 'auditor', 'hospital-b'), TRANSACTIONS.getConsent, id)),
    ).toContain(`NOT_FOUND: consent ${id} does not exist`);
    expect(
      await evaluate(
        contractOf(REGULATOR, 'auditor', 'hospital-b'),
        TRANSACTIONS.checkConsent,
        `HospitalAMSP:subj-${run}`,
        'ai-inference',
        'AIProviderMSP',
        '',
      ),
    ).toMatchObject({
      allowed: false,
    });
    await expect(
      evaluate(contractOf(HOSPITAL_B, 'auditor', 'hospital-a', HOSPITAL_A), TRANSACTIONS.getConsent, id),
    ).rejects.toThrow();
    await expect(
      submit(
        contractOf(HOSPITAL_B, 'consent-manager', 'hospital-a', HOSPITAL_A),
        TRANSACTIONS.grantConsent,
        JSON.stringify(consent(`it-b-${run}`)),
      ),
    ).rejects.toThrow();
  });
});
