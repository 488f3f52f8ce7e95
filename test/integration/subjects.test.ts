import type { Contract } from '@hyperledger/fabric-gateway';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRANSACTIONS } from '@aal/ledger-contract';
import {
  AI_PROVIDER,
  APP_ROLES,
  type AppRole,
  CHAINCODE_NAME,
  HOSPITAL_A,
  HOSPITAL_B,
  NetworkLayout,
  type OrgSpec,
  REGULATOR,
} from '@aal/network';
import {
  chaincodeMessage,
  committedTransaction,
  evaluateJson,
  filesContaining,
  refusal,
  submitTransaction,
} from '../support/chaincode-calls';
import { testGateway, type TestGateway } from '../support/gateway';
import { testNetworkOptions } from '../support/test-network';

const CHANNEL = 'hospital-a';
const layout = new NetworkLayout(testNetworkOptions());
const encoder = new TextEncoder();
const randomHex = (): string => randomBytes(32).toString('hex');
const transient = (values: Record<string, string>): Record<string, Uint8Array> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, encoder.encode(value)]));

const gateways: TestGateway[] = [];
function gatewayOf(org: OrgSpec, role: AppRole, peerOrg: OrgSpec = org): TestGateway {
  const gateway = testGateway(org, role, peerOrg);
  gateways.push(gateway);
  return gateway;
}
const contractOf = (org: OrgSpec, role: AppRole, options: { peerOrg?: OrgSpec; channel?: string } = {}): Contract =>
  gatewayOf(org, role, options.peerOrg)
    .gateway.getNetwork(options.channel ?? CHANNEL)
    .getContract(CHAINCODE_NAME);

/** Transient secrets go to the caller's own org's peers only. */
const ownOrgOnly = (org: OrgSpec): { endorsingOrganizations: string[] } => ({ endorsingOrganizations: [org.mspId] });

interface NewSubject {
  identifier: string;
  subjectRef: string;
  subjectKey: string;
}
const newSubject = (): NewSubject => ({
  identifier: `MRN-${randomHex().slice(0, 12)}`,
  // In HospitalA's namespace: the org that registers a subject owns it.
  subjectRef: `${HOSPITAL_A.mspId}:subj-${randomHex().slice(0, 16)}`,
  subjectKey: randomHex(),
});

async function registerSubject(contract: Contract, subject: NewSubject): Promise<{ result: string; txId: string }> {
  return submitTransaction(contract, TRANSACTIONS.registerSubject, {
    transientData: transient({ ...subject }),
    ...ownOrgOnly(HOSPITAL_A),
  });
}

/** Node data (ledgers, private data and transient stores) and logs of every process not run by `org`. */
function otherOrgsFiles(org: OrgSpec): string[] {
  const dirs: string[] = [];
  for (const parent of [join(layout.dir, 'nodes'), layout.logsDir]) {
    for (const entry of readdirSync(parent)) if (!entry.includes(org.slug)) dirs.push(join(parent, entry));
  }
  return dirs;
}

beforeAll(async () => {
  const keys = transient({ contentKey: randomHex(), lookupPepper: randomHex() });
  await submitTransaction(contractOf(HOSPITAL_A, 'admin'), TRANSACTIONS.initOrgKeys, {
    transientData: keys,
    ...ownOrgOnly(HOSPITAL_A),
  });
});

afterAll(() => {
  for (const gateway of gateways) gateway.close();
});

describe('Subjects on the real network', () => {
  it('keeps identifier and key on HospitalA’s peer only, then erases them end to end with a majority-endorsed receipt', async () => {
    const recorder = contractOf(HOSPITAL_A, 'recorder');
    const admin = contractOf(HOSPITAL_A, 'admin');
    const regulator = gatewayOf(REGULATOR, 'auditor');
    const subject = newSubject();

    const registered = await registerSubject(recorder, subject);
    expect(JSON.parse(registered.result)).toEqual({ created: true, subjectRef: subject.subjectRef });
    expect(await evaluateJson(recorder, TRANSACTIONS.getSubjectKey, { arguments: [subject.subjectRef] })).toEqual({
      subjectKey: subject.subjectKey,
    });
    expect(
      await evaluateJson(recorder, TRANSACTIONS.lookupSubject, {
        transientData: transient({ identifier: subject.identifier }),
      }),
    ).toEqual({
      subjectRef: subject.subjectRef,
    });

    // The registration was endorsed by HospitalA alone, and its block — which every peer of the channel holds — carries no secret.
    const registration = await committedTransaction(regulator.gateway, CHANNEL, registered.txId);
    expect(registration.proof.validationCode).toBe('VALID');
    expect(registration.proof.endorsingOrgs).toEqual([HOSPITAL_A.mspId]);
    for (const secret of [subject.identifier, subject.subjectKey])
      expect(registration.block.includes(secret)).toBe(false);

    // No other org's node ever stored the identifier or the key; HospitalA's peer holds the key (so the search can find it).
    expect(filesContaining(layout.nodeDataDir(`peer0.${HOSPITAL_A.slug}`), subject.subjectKey).length).toBeGreaterThan(
      0,
    );
    for (const dir of otherOrgsFiles(HOSPITAL_A)) {
      expect({
        dir,
        found: [...filesContaining(dir, subject.subjectKey), ...filesContaining(dir, subject.identifier)],
      }).toEqual({ dir, found: [] });
    }
    expect(filesContaining(join(layout.dir, 'nodes'), subject.identifier)).toEqual([]);

    // Other orgs cannot read it: their own identity reads their own collection; HospitalA's identity is refused at their peer.
    expect(
      await refusal(
        contractOf(AI_PROVIDER, 'admin').evaluate(TRANSACTIONS.getSubjectKey, { arguments: [subject.subjectRef] }),
      ),
    ).toContain(`NOT_FOUND: subject ${subject.subjectRef} does not exist`);
    const atForeignPeer = await contractOf(HOSPITAL_A, 'auditor', { peerOrg: AI_PROVIDER })
      .evaluate(TRANSACTIONS.getSubjectKey, { arguments: [subject.subjectRef] })
      .then((answer) => new TextDecoder().decode(answer), chaincodeMessage);
    expect(atForeignPeer).not.toContain(subject.subjectKey);
    expect(atForeignPeer).toMatch(
      /ACCESS_DENIED|private data matching public hash version is not available|does not exist/,
    );

    // No receipt while the key is still there.
    expect(
      await refusal(admin.submit(TRANSACTIONS.recordErasureReceipt, { arguments: [subject.subjectRef] })),
    ).toContain(`PRECONDITION_FAILED: the key of subject ${subject.subjectRef} is still present`);

    const erased = await submitTransaction(admin, TRANSACTIONS.eraseSubject, {
      arguments: [subject.subjectRef],
      ...ownOrgOnly(HOSPITAL_A),
    });
    expect(JSON.parse(erased.result)).toEqual({ purged: true, subjectRef: subject.subjectRef });
    expect((await committedTransaction(regulator.gateway, CHANNEL, erased.txId)).proof.endorsingOrgs).toEqual([
      HOSPITAL_A.mspId,
    ]);

    const events = await regulator.gateway.getNetwork(CHANNEL).getChaincodeEvents(CHAINCODE_NAME);
    let receipt: { result: string; txId: string } | undefined;
    try {
      // Every endorser checks the purge from its own copy of the hashes; give the other peers a moment to commit it.
      for (let attempt = 0; receipt === undefined; attempt++) {
        try {
          receipt = await submitTransaction(admin, TRANSACTIONS.recordErasureReceipt, {
            arguments: [subject.subjectRef],
          });
        } catch (error) {
          if (attempt >= 10) throw error;
          await sleep(500);
        }
      }
      const stored = JSON.parse(receipt.result) as Record<string, string>;
      expect(stored).toEqual({
        subjectRef: subject.subjectRef,
        org: HOSPITAL_A.mspId,
        erasedAt: stored.erasedAt,
        erasedBy: 'app-admin',
        txId: receipt.txId,
      });
      const receiptTx = await committedTransaction(regulator.gateway, CHANNEL, receipt.txId);
      expect(receiptTx.proof.endorsingOrgs.length).toBeGreaterThanOrEqual(2);

      for await (const event of events) {
        if (event.transactionId !== receipt.txId) continue;
        expect(event.eventName).toBe('SubjectErased');
        expect(JSON.parse(new TextDecoder().decode(event.payload))).toEqual(stored);
        break;
      }
    } finally {
      events.close();
    }

    expect(await refusal(recorder.evaluate(TRANSACTIONS.getSubjectKey, { arguments: [subject.subjectRef] }))).toContain(
      `NOT_FOUND: subject ${subject.subjectRef} erased`,
    );
    expect(
      await refusal(
        recorder.evaluate(TRANSACTIONS.lookupSubject, { transientData: transient({ identifier: subject.identifier }) }),
      ),
    ).toContain('NOT_FOUND: no subject of HospitalAMSP is registered for this identifier');
    expect(
      await evaluateJson(
        regulator.gateway.getNetwork(CHANNEL).getContract(CHAINCODE_NAME),
        TRANSACTIONS.getErasureReceipt,
        { arguments: [subject.subjectRef] },
      ),
    ).toEqual(JSON.parse(receipt.result));
  });

  it('enforces the access matrix for every HospitalA role', async () => {
    const subject = newSubject();
    await registerSubject(contractOf(HOSPITAL_A, 'recorder'), subject);
    const may = {
      InitOrgKeys: ['admin'],
      RegisterSubject: ['recorder', 'consent-manager', 'admin'],
      EraseSubject: ['admin'],
      RecordErasureReceipt: ['admin'],
    } as const;
    for (const role of APP_ROLES) {
      const contract = contractOf(HOSPITAL_A, role);
      const own = ownOrgOnly(HOSPITAL_A);
      const attempts: Record<keyof typeof may, () => Promise<unknown>> = {
        InitOrgKeys: () =>
          contract.submit(TRANSACTIONS.initOrgKeys, {
            transientData: transient({ contentKey: randomHex(), lookupPepper: randomHex() }),
            ...own,
          }),
        RegisterSubject: () => registerSubject(contract, newSubject()),
        // Refused roles must be refused for their role; for admins these fail later (unknown subject), which is not an access refusal.
        EraseSubject: () => contract.submit(TRANSACTIONS.eraseSubject, { arguments: ['no-such-subject'], ...own }),
        RecordErasureReceipt: () =>
          contract.submit(TRANSACTIONS.recordErasureReceipt, { arguments: [`${HOSPITAL_A.mspId}:no-such-subject`] }),
      };
      for (const [transaction, roles] of Object.entries(may) as [keyof typeof may, readonly AppRole[]][]) {
        const outcome = await attempts[transaction]().then(() => 'ok', chaincodeMessage);
        if ((roles as readonly string[]).includes(role))
          expect({ role, transaction, outcome }).toEqual({
            role,
            transaction,
            outcome: expect.not.stringContaining('ACCESS_DENIED') as unknown,
          });
        else
          expect({ role, transaction, outcome }).toEqual({
            role,
            transaction,
            outcome: expect.stringContaining('ACCESS_DENIED') as unknown,
          });
      }
      // Every role of the org reads its own org's keys and mappings.
      expect(await evaluateJson(contract, TRANSACTIONS.getSubjectKey, { arguments: [subject.subjectRef] })).toEqual({
        subjectKey: subject.subjectKey,
      });
      expect(
        await evaluateJson(contract, TRANSACTIONS.lookupSubject, {
          transientData: transient({ identifier: subject.identifier }),
        }),
      ).toEqual({
        subjectRef: subject.subjectRef,
      });
      expect(Object.keys(await evaluateJson<object>(contract, TRANSACTIONS.getOrgContentKey))).toEqual(['contentKey']);
      expect(
        await refusal(contract.evaluate(TRANSACTIONS.getErasureReceipt, { arguments: [subject.subjectRef] })),
      ).toContain('NOT_FOUND');
    }
  });

  it('keeps channels apart: implicit collections and receipts are per channel, and HospitalB cannot reach hospital-a', async () => {
    const provider = contractOf(AI_PROVIDER, 'admin');
    await submitTransaction(provider, TRANSACTIONS.initOrgKeys, {
      transientData: transient({ contentKey: randomHex(), lookupPepper: randomHex() }),
      ...ownOrgOnly(AI_PROVIDER),
    });
    expect(Object.keys(await evaluateJson<object>(provider, TRANSACTIONS.getOrgContentKey))).toEqual(['contentKey']);
    const onOtherChannel = contractOf(AI_PROVIDER, 'admin', { channel: 'hospital-b' });
    expect(await refusal(onOtherChannel.evaluate(TRANSACTIONS.getOrgContentKey))).toContain(
      'PRECONDITION_FAILED: the keys of AIProviderMSP are not initialised',
    );

    const intruder = contractOf(HOSPITAL_B, 'admin', { peerOrg: HOSPITAL_A });
    expect(await refusal(intruder.evaluate(TRANSACTIONS.getOrgContentKey))).not.toContain('contentKey');
    expect(await refusal(contractOf(HOSPITAL_B, 'admin').evaluate(TRANSACTIONS.getOrgContentKey))).not.toContain(
      'contentKey',
    );
  });
});
