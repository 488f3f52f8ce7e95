import { TRANSACTIONS, type ConsentVerdict, type StoredConsent } from '@aal/ledger-contract';
import { AI_PROVIDER, APP_ROLES, HOSPITAL_A, REGULATOR, type AppRole, type OrgSpec } from '@aal/network';
import {
  codedRefusal,
  consentRecord,
  eraseWithReceipt,
  evaluateJsonArgs,
  HOSPITAL_A_CHANNEL,
  MemberClients,
  readRefusalCode,
  runSuffix,
  submitJson,
} from '../support/deviating-member';
import { registerSubjectOnLedger } from '../support/registered-subject';

/**
 * Consent disclosure: the AIProvider knows HospitalA patients' pseudonyms and asks the ledger, with
 * every identity its CA issues, what the hospital's consents allow — through `CheckConsent` and
 * through `QueryConsents` bookmarks — including consents that name only the hospital's own
 * application, which `GetConsent` refuses it. It may ask "may I use this subject?" (itself or one of
 * its applications) and gets the full verdict; "may the hospital's application?" is refused, the
 * same for a permitted, a denied, an erased and an unknown subject; and it is handed only bookmarks
 * naming consents it may read.
 */
const run = runSuffix();
const clients = new MemberClients();
const hospitalApp = 'HospitalAMSP:triage-app';
const subjects = {
  permitted: `HospitalAMSP:adv-disclose-${run}-permit`,
  denied: `HospitalAMSP:adv-disclose-${run}-deny`,
  unconsented: `HospitalAMSP:adv-disclose-${run}-none`,
  erased: `HospitalAMSP:adv-disclose-${run}-erased`,
  // Never registered: the refusal must not tell it from the others.
  unknown: `HospitalAMSP:adv-disclose-${run}-unknown`,
  paged: `HospitalAMSP:adv-disclose-${run}-paged`,
};
const ids = {
  permit: `HospitalAMSP:adv-disclose-${run}-permit`,
  permitUnderDeny: `HospitalAMSP:adv-disclose-${run}-permit-under-deny`,
  deny: `HospitalAMSP:adv-disclose-${run}-deny`,
  // In consent-id order on the paged subject: the AIProvider may read a and z, not m-hidden.
  pagedFirst: `HospitalAMSP:adv-disclose-${run}-a`,
  pagedHidden: `HospitalAMSP:adv-disclose-${run}-m-hidden`,
  pagedLast: `HospitalAMSP:adv-disclose-${run}-z`,
  erased: `HospitalAMSP:adv-disclose-${run}-erased`,
};
const check = (org: OrgSpec, role: AppRole, subjectRef: string, grantee = hospitalApp): Promise<ConsentVerdict> =>
  evaluateJsonArgs<ConsentVerdict>(
    clients.contract(org, role),
    TRANSACTIONS.checkConsent,
    subjectRef,
    'ai-inference',
    grantee,
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
  for (const subjectRef of Object.values(subjects).filter((ref) => ref !== subjects.unknown))
    await registerSubjectOnLedger(HOSPITAL_A, HOSPITAL_A_CHANNEL, subjectRef);
  const hospitalOnly = { grantees: [hospitalApp] };
  await grant(ids.permit, subjects.permitted, hospitalOnly);
  await grant(ids.permitUnderDeny, subjects.denied, hospitalOnly);
  await grant(ids.deny, subjects.denied, { ...hospitalOnly, decision: 'deny' });
  await grant(ids.pagedFirst, subjects.paged, {});
  await grant(ids.pagedHidden, subjects.paged, hospitalOnly);
  await grant(ids.pagedLast, subjects.paged, {});
  await grant(ids.erased, subjects.erased, {});
  await eraseWithReceipt(clients, HOSPITAL_A, subjects.erased);
}, 180_000);

afterAll(() => clients.close());

describe('consent disclosure to a member that may not read the consents', () => {
  it('CheckConsent refuses every AIProvider identity asking for the hospital’s application or the hospital, alike for every subject', async () => {
    const refused = {
      code: 'ACCESS_DENIED',
      message:
        'access denied: AIProviderMSP may check consent only about its own subjects or for itself (AIProviderMSP or AIProviderMSP:<applicationId>)',
    };
    for (const role of APP_ROLES) {
      // Permitted, denied, unconsented, erased and never registered read alike.
      for (const subjectRef of [
        subjects.permitted,
        subjects.denied,
        subjects.unconsented,
        subjects.erased,
        subjects.unknown,
      ])
        for (const grantee of [hospitalApp, 'HospitalAMSP', 'triage-app'])
          expect({
            role,
            subjectRef,
            grantee,
            ...(await codedRefusal(check(AI_PROVIDER, role, subjectRef, grantee))),
          }).toEqual({ role, subjectRef, grantee, ...refused });
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

  it('CheckConsent answers the AIProvider about itself and its applications, with the consent that decides', async () => {
    for (const grantee of ['AIProviderMSP', 'AIProviderMSP:summary-app']) {
      const who = grantee === 'AIProviderMSP' ? grantee : `AIProviderMSP or ${grantee}`;
      // The paged subject's consents name the AIProvider (consentRecord's default grantee).
      expect(await check(AI_PROVIDER, 'recorder', subjects.paged, grantee)).toEqual({
        allowed: true,
        consentId: ids.pagedFirst,
        reason: `consent ${ids.pagedFirst} permits ai-inference for ${who}`,
      });
      // A consent naming only the hospital's application does not cover it.
      expect(await check(AI_PROVIDER, 'recorder', subjects.permitted, grantee)).toEqual({
        allowed: false,
        reason: `no consent of the subject covers ai-inference for ${who}`,
      });
      expect(await check(AI_PROVIDER, 'recorder', subjects.erased, grantee)).toMatchObject({
        allowed: false,
        reason: expect.stringMatching(new RegExp(`^subject ${subjects.erased} was erased at `)) as unknown,
      });
    }
  });

  it('CheckConsent answers the subject’s owner and the configured auditor org about any grantee, with the consent that decides', async () => {
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
      expect(await check(org, role, subjects.unknown, 'AIProviderMSP')).toEqual({
        allowed: false,
        reason: 'no consent of the subject covers ai-inference for AIProviderMSP',
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
