import { CHANNEL_ADMINS_POLICY, countAdminSignatures, majorityOf, shortfallMessage } from './config-update-policy';

const MEMBERS = ['AIProviderMSP', 'HospitalAMSP', 'RegulatorMSP'];

describe('majorityOf', () => {
  it('is more than half of the orgs', () => {
    expect([1, 2, 3, 4, 5].map(majorityOf)).toEqual([1, 2, 2, 3, 3]);
  });

  it('refuses a channel without orgs', () => {
    expect(() => majorityOf(0)).toThrow(RangeError);
    expect(() => majorityOf(2.5)).toThrow(RangeError);
  });
});

describe('countAdminSignatures', () => {
  it('one admin of three orgs falls short of MAJORITY Admins', () => {
    const count = countAdminSignatures('hospital-a', MEMBERS, [{ mspId: 'HospitalAMSP', isAdmin: true }]);
    expect(count).toEqual({
      policy: CHANNEL_ADMINS_POLICY,
      channel: 'hospital-a',
      members: MEMBERS,
      needed: 2,
      signed: ['HospitalAMSP'],
      ignored: [],
      met: false,
    });
  });

  it('two member admins meet it', () => {
    const count = countAdminSignatures('hospital-a', MEMBERS, [
      { mspId: 'RegulatorMSP', isAdmin: true },
      { mspId: 'HospitalAMSP', isAdmin: true },
    ]);
    expect([count.met, count.signed]).toEqual([true, ['HospitalAMSP', 'RegulatorMSP']]);
  });

  it('counts an org once however often its admins signed', () => {
    const count = countAdminSignatures('hospital-a', MEMBERS, [
      { mspId: 'HospitalAMSP', isAdmin: true },
      { mspId: 'HospitalAMSP', isAdmin: true },
    ]);
    expect([count.met, count.signed]).toEqual([false, ['HospitalAMSP']]);
  });

  it("does not count a non-admin's signature, nor an org that is not on the channel", () => {
    const count = countAdminSignatures('hospital-a', MEMBERS, [
      { mspId: 'HospitalAMSP', isAdmin: true },
      { mspId: 'RegulatorMSP', isAdmin: false },
      { mspId: 'HospitalBMSP', isAdmin: true },
    ]);
    expect(count.met).toBe(false);
    expect(count.signed).toEqual(['HospitalAMSP']);
    expect(count.ignored).toEqual(['RegulatorMSP (not an admin)', 'HospitalBMSP (not a member of the channel)']);
  });
});

describe('shortfallMessage', () => {
  it('names the policy, how many are needed, who signed and who may still sign', () => {
    const count = countAdminSignatures('hospital-a', MEMBERS, [
      { mspId: 'HospitalAMSP', isAdmin: true },
      { mspId: 'RegulatorMSP', isAdmin: false },
    ]);
    expect(shortfallMessage(count)).toBe(
      'channel hospital-a: policy /Channel/Application/Admins (MAJORITY Admins) needs the admins of 2 of 3 orgs ' +
        '(AIProviderMSP, HospitalAMSP, RegulatorMSP), signed so far by 1: HospitalAMSP; not counted: RegulatorMSP ' +
        '(not an admin); still to sign (any 1 of): AIProviderMSP, RegulatorMSP. Nothing was sent.',
    );
  });

  it('says nobody when nobody signed', () => {
    expect(shortfallMessage(countAdminSignatures('c', MEMBERS, []))).toContain('signed so far by 0: nobody;');
  });
});
