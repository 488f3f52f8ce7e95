import { randomBytes } from 'node:crypto';
import { SubjectsContract } from '../subjects/subjects-contract';
import type { InMemoryLedger } from './in-memory-ledger';

const subjects = new SubjectsContract();
const hex = (): string => randomBytes(32).toString('hex');

/**
 * Registers `subjectRef` in `mspId`'s implicit collection through the real Subjects contract (org
 * keys first, idempotently), as an org's application does before granting consents about a subject.
 */
export async function registerSubject(
  ledger: InMemoryLedger,
  mspId: string,
  subjectRef: string,
  identifier = `patient-of-${subjectRef}`,
): Promise<void> {
  await ledger.submit({ mspId, role: 'admin' }, (ctx) => subjects.InitOrgKeys(ctx), {
    transient: { contentKey: hex(), lookupPepper: hex() },
  });
  await ledger.submit({ mspId, role: 'recorder' }, (ctx) => subjects.RegisterSubject(ctx), {
    transient: { identifier, subjectRef, subjectKey: hex() },
  });
}
