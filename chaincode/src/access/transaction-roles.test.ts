import { ROLES, TRANSACTIONS, type Role } from '@aal/ledger-contract';
import type { Context, Contract } from 'fabric-contract-api';
import { contracts } from '../index';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { refusalOf } from '../testing/refusal';

/**
 * Issue 10: a member can sign proposals with any identity its own CA issues — role-less ones and
 * auditors included — straight at the peers. Every submit transaction must refuse, from the
 * certificate alone, every identity whose role may not write through it; auditors never write.
 * The walk covers every transaction the contract metadata declares, so a new one fails this test
 * until its roles are listed here.
 */
const SUBMIT_ROLES: Readonly<Record<string, readonly Role[]>> = {
  [TRANSACTIONS.initOrgKeys]: ['admin'],
  [TRANSACTIONS.registerSubject]: ['recorder', 'consent-manager', 'admin'],
  [TRANSACTIONS.eraseSubject]: ['admin'],
  [TRANSACTIONS.recordErasureReceipt]: ['admin'],
  [TRANSACTIONS.grantConsent]: ['consent-manager'],
  [TRANSACTIONS.revokeConsent]: ['consent-manager'],
  [TRANSACTIONS.registerArtifact]: ['recorder', 'admin'],
  [TRANSACTIONS.recordTrainingRun]: ['recorder', 'admin'],
  [TRANSACTIONS.recordInteraction]: ['recorder', 'admin'],
  [TRANSACTIONS.recordInteractions]: ['recorder', 'admin'],
  [TRANSACTIONS.annotateInteraction]: ['recorder', 'admin'],
  [TRANSACTIONS.recordBatch]: ['recorder', 'admin'],
  [TRANSACTIONS.anchorReads]: ['admin'],
};

/** What fabric-contract-api's `@Transaction` records per transaction (reflect-metadata, loaded by it). */
interface DeclaredTransaction {
  readonly name: string;
  readonly tag: readonly string[];
  readonly parameters?: readonly unknown[];
}
interface MetadataReflect {
  getMetadata(key: string, target: object): unknown;
}
type TransactionFunction = (ctx: Context, ...args: string[]) => Promise<unknown>;

interface Walked {
  readonly name: string;
  readonly submit: boolean;
  readonly call: (ctx: Context) => Promise<unknown>;
}

/** Every transaction of every contract the chaincode registers, as the generated metadata declares it. */
function declaredTransactions(): Walked[] {
  return contracts.flatMap((ContractClass) => {
    const contract: Contract = new ContractClass();
    const declared = ((Reflect as unknown as MetadataReflect).getMetadata(
      'fabric:transactions',
      ContractClass.prototype as object,
    ) ?? []) as readonly DeclaredTransaction[];
    return declared.map((transaction) => {
      const fn = (contract as unknown as Record<string, TransactionFunction>)[transaction.name] as TransactionFunction;
      // Arguments do not matter: the role is checked first, from the certificate.
      const args = (transaction.parameters ?? []).map(() => '');
      return {
        name: `${contract.getName()}:${transaction.name}`,
        submit: transaction.tag.includes('SUBMIT'),
        call: (ctx: Context) => fn.call(contract, ctx, ...args),
      };
    });
  });
}

const walked = declaredTransactions();
const submits = walked.filter((transaction) => transaction.submit);
const evaluates = walked.filter((transaction) => !transaction.submit);

const roleless: TestIdentity[] = [
  { mspId: 'HospitalAMSP' },
  { mspId: 'HospitalAMSP', role: '' },
  { mspId: 'HospitalAMSP', role: 'superuser' },
  { mspId: 'RegulatorMSP', enrollmentId: 'peer0' },
];
const auditors: TestIdentity[] = [
  { mspId: 'RegulatorMSP', role: 'auditor' },
  { mspId: 'HospitalAMSP', role: 'auditor' },
];
const roleRefusal = (who: TestIdentity, roles: readonly Role[]): string =>
  `access denied: role '${who.role !== undefined && (ROLES as readonly string[]).includes(who.role) ? who.role : 'none'}' of ${who.mspId} may not do this (needs ${roles.join(' or ')})`;

describe('who may write: every submit transaction of every contract', () => {
  it('is declared in the contract package and has its roles listed here; none lets auditors write', () => {
    expect(submits.map((transaction) => transaction.name).sort()).toEqual(Object.keys(SUBMIT_ROLES).sort());
    expect(walked.map((transaction) => transaction.name).sort()).toEqual(Object.values(TRANSACTIONS).sort());
    for (const roles of Object.values(SUBMIT_ROLES)) {
      expect(roles.length).toBeGreaterThan(0);
      expect(roles).not.toContain('auditor');
    }
  });

  it.each(submits.map((transaction) => [transaction.name, transaction] as const))(
    '%s refuses role-less identities and auditors, and writes nothing',
    async (name, transaction) => {
      const roles = SUBMIT_ROLES[name] ?? [];
      for (const who of [...roleless, ...auditors]) {
        const ledger = new InMemoryLedger();
        expect(await refusalOf(ledger.submit(who, transaction.call))).toEqual({
          code: 'ACCESS_DENIED',
          message: roleRefusal(who, roles),
        });
        expect(ledger.keys()).toEqual([]);
        expect(ledger.events).toEqual([]);
        expect(ledger.lastPrivateWrites).toEqual([]);
      }
    },
  );

  it.each(submits.map((transaction) => [transaction.name, transaction] as const))(
    '%s admits exactly its listed roles',
    async (name, transaction) => {
      const roles = SUBMIT_ROLES[name] ?? [];
      for (const role of ROLES) {
        const who: TestIdentity = { mspId: 'HospitalAMSP', role };
        const outcome = await new InMemoryLedger().submit(who, transaction.call).then(
          () => undefined,
          (error: unknown) => (error as Error).message,
        );
        // An admitted role gets past the role check (and fails later on the empty arguments); no other does.
        if (roles.includes(role)) expect(outcome ?? '').not.toContain('may not do this');
        else expect(outcome).toContain(roleRefusal(who, roles));
      }
    },
  );
});

describe('who may read: every evaluate transaction', () => {
  it.each(evaluates.map((transaction) => [transaction.name, transaction] as const))(
    '%s refuses role-less identities',
    async (_name, transaction) => {
      for (const who of roleless) {
        expect(await refusalOf(new InMemoryLedger().evaluate(who, transaction.call))).toEqual({
          code: 'ACCESS_DENIED',
          message: roleRefusal(who, ROLES),
        });
      }
    },
  );
});
