import { TRANSACTIONS, type ConsentVerdict, type StoredConsent } from '@aal/ledger-contract';
import { AI_PROVIDER, APP_ROLES, HOSPITAL_A, REGULATOR, type AppRole, type OrgSpec } from '@aal/network';
import {
  consentRecord,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Consent disclosure: the AIProvider knows a HospitalA patient's pseudonym and asks the ledger, with
 * every identity its CA issues, which consents exist for it — through `CheckConsent` verdicts and
 * through `QueryConsents` bookmarks — including consents that name only the hospital's own
 * application, which `GetConsent` refuses it. The ledger tells it whether a use is allowed, never
 * which consent decides nor in what state the consents are, and hands out only bookmarks naming
 * consents it may read.
 */
const run = runSuffix();
const clients = new MemberClients();
const hospitalApp = 'HospitalAMSP:triage-app';
const subjects = {
  permitted: `HospitalAMSP:adv-disclose-${run}-permit`,
  denied: `HospitalAMSP:adv-disclose-${run}-deny`,
  unconsented: `HospitalAMSP:adv-disclose-${run}-none`,
  paged: `HospitalAMSP:adv-disclose-${run}-paged`,
};
const ids = {
  permit: `adv-disclose-${run}-permit`,
  permitUnderDeny: `adv-disclose-${run}-permit-under-deny`,
  deny: `adv-disclose-${run}-deny`,
  // In consent-id order on the paged subject: the AIProvider may read a and z, not m-hidden.
  pagedFirst: `adv-disclose-${run}-a`,
  pagedHidden: `adv-disclose-${run}-m-hidden`,
  pagedLast: `adv-disclose-${run}-z`,
};
const check = (org: OrgSpec, role: AppRole, subjectRef: string): Promise<ConsentVerdict> =>
  evaluateJsonArgs<ConsentVerdict>(
    clients.contract(org, role),
    TRANSACTIONS.checkConsent,
    subjectRef,
    'ai-inference',
    hospitalApp,
    '',
  );

beforeAll(async () => {
  const manager = clients.contract(HOSPITAL_A, 'consent-manager');
  const grant = (id: string, subjectRef: string, overrides: Record<string, unknown>): Promise<StoredConsent> =>
    submitJson<StoredConsent>(
      manager,
      TRANSACTIONS.grantConsent,
      JSON.stringify(consentRecord(id, subjectRef, overrides)),
    );
  for (const subjectRef of Object.values(subjects))
    await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
  const hospitalOnly = { grantees: [hospitalApp] };
  await grant(ids.permit, subjects.permitted, hospitalOnly);
  await grant(ids.permitUnderDeny, subjects.denied, hospitalOnly);
  await grant(ids.deny, subjects.denied, { ...hospitalOnly, decision: 'deny' });
  await grant(ids.pagedFirst, subjects.paged, {});
  await grant(ids.pagedHidden, subjects.paged, hospitalOnly);
  await grant(ids.pagedLast, subjects.paged, {});
}, 180_000);

afterAll(() => clients.close());

describe('consent disclosure to a member that may not read the consents', () => {
  it('CheckConsent answers every AIProvider identity only `allowed`, with one generic reason per outcome and no consent id', async () => {
    const permitted = { allowed: true, reason: `a consent permits ai-inference for HospitalAMSP or ${hospitalApp}` };
    const refused = {
      allowed: false,
      reason: `no active consent covers ai-inference for HospitalAMSP or ${hospitalApp}`,
    };
    for (const role of APP_ROLES) {
      expect({ role, ...(await check(AI_PROVIDER, role, subjects.permitted)) }).toEqual({ role, ...permitted });
      // A deny and no consent at all read alike.
      expect({ role, ...(await check(AI_PROVIDER, role, subjects.denied)) }).toEqual({ role, ...refused });
      expect({ role, ...(await check(AI_PROVIDER, role, subjects.unconsented)) }).toEqual({ role, ...refused });
      // The consents themselves stay closed to it.
      for (const id of [ids.permit, ids.deny])
        expect({
          role,
          id,
          code: await readRefusalCode(clients.contract(AI_PROVIDER, role), TRANSACTIONS.getConsent, id),
        }).toEqual({
          role,
          id,
          code: 'ACCESS_DENIED',
        });
    }
  });

  it('CheckConsent names the deciding consent to its controller and to the configured auditor org', async () => {
    for (const [org, role] of [
      [HOSPITAL_A, 'recorder'],
      [REGULATOR, 'auditor'],
    ] as const) {
      expect(await check(org, role, subjects.permitted)).toEqual({
        allowed: true,
        consentId: ids.permit,
        reason: `consent ${ids.permit} permits ai-inference for HospitalAMSP or ${hospitalApp}`,
      });
      expect(await check(org, role, subjects.denied)).toEqual({
        allowed: false,
        consentId: ids.deny,
        reason: `consent ${ids.deny} denies ai-inference for HospitalAMSP or ${hospitalApp}`,
      });
    }
  });

  it('QueryConsents hands the AIProvider no bookmark that names a consent it may not read, and still pages over every one it may', async () => {
    const provider = clients.contract(AI_PROVIDER, 'recorder');
    const pages: string[][] = [];
    const bookmarks: string[] = [];
    let bookmark = '';
    do {
      const page = await evaluateJsonArgs<{ records: StoredConsent[]; bookmark: string }>(
        provider,
        TRANSACTIONS.queryConsents,
        JSON.stringify({ by: 'subjectRef', value: subjects.paged, pageSize: 1, bookmark }),
      );
      pages.push(page.records.map((record) => record.id));
      bookmark = page.bookmark;
      if (bookmark !== '') bookmarks.push(bookmark);
    } while (bookmark !== '' && pages.length < 10);
    expect(pages).toEqual([[ids.pagedFirst], [ids.pagedLast], []]);
    expect(bookmarks).toHaveLength(2);
    for (const handedOut of bookmarks) expect(handedOut).not.toContain(ids.pagedHidden);
    // The hospital, controller of all three, pages over all three.
    const all = await evaluateJsonArgs<{ records: StoredConsent[] }>(
      clients.contract(HOSPITAL_A, 'recorder'),
      TRANSACTIONS.queryConsents,
      JSON.stringify({ by: 'subjectRef', value: subjects.paged }),
    );
    expect(all.records.map((record) => record.id)).toEqual([ids.pagedFirst, ids.pagedHidden, ids.pagedLast]);
  });
});
