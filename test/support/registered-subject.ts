import { randomBytes } from 'node:crypto';
import { TRANSACTIONS } from '@aal/ledger-contract';
import { CHAINCODE_NAME, type OrgSpec } from '@aal/network';
import { testGateway } from './gateway';

const hex = (): string => randomBytes(32).toString('hex');
const utf8 = (value: string): Uint8Array => Buffer.from(value, 'utf8');

/**
 * Registers `subjectRef` with `org` on the real network the way the org's application does: org keys
 * (idempotent) and the subject mapping, secrets in the transient map, endorsed by the org alone.
 * Consents can only be granted about subjects the granting org registered. Returns the secrets it
 * registered (identifier and subject key), for tests that read them back.
 */
export async function registerSubjectOnLedger(
  org: OrgSpec,
  channel: string,
  subjectRef: string,
): Promise<{ identifier: string; subjectKey: string }> {
  const own = { endorsingOrganizations: [org.mspId] };
  const admin = testGateway(org, 'admin');
  try {
    await admin.gateway
      .getNetwork(channel)
      .getContract(CHAINCODE_NAME)
      .submit(TRANSACTIONS.initOrgKeys, {
        transientData: { contentKey: utf8(hex()), lookupPepper: utf8(hex()) },
        ...own,
      });
  } finally {
    admin.close();
  }
  const identifier = `patient-of-${subjectRef}`;
  const subjectKey = hex();
  const recorder = testGateway(org, 'recorder');
  try {
    await recorder.gateway
      .getNetwork(channel)
      .getContract(CHAINCODE_NAME)
      .submit(TRANSACTIONS.registerSubject, {
        transientData: { identifier: utf8(identifier), subjectRef: utf8(subjectRef), subjectKey: utf8(subjectKey) },
        ...own,
      });
  } finally {
    recorder.close();
  }
  return { identifier, subjectKey };
}
