import { NetworkError } from './errors';
import { isFoundingOrg, JOINING_ORG_INDEX, joiningOrg } from './joining-org';

describe('joiningOrg', () => {
  it('names a new org by its slug, name and MSP id, at the joining port position', () => {
    expect(joiningOrg('hospital-c', { name: 'HospitalC', mspId: 'HospitalCMSP' })).toEqual({
      name: 'HospitalC',
      mspId: 'HospitalCMSP',
      slug: 'hospital-c',
      index: JOINING_ORG_INDEX,
    });
  });

  it.each([
    ['Hospital-C', 'HospitalC', 'HospitalCMSP', "'Hospital-C' is not an org slug"],
    ['hospital--c', 'HospitalC', 'HospitalCMSP', "'hospital--c' is not an org slug"],
    ['hospital-c', '3Hospital', 'HospitalCMSP', "'3Hospital' is not an org name"],
    ['hospital-c', 'HospitalC', 'HospitalC', "'HospitalC' is not an MSP id"],
    ['hospital-a', 'HospitalC', 'HospitalCMSP', 'clashes with the founding org HospitalA'],
    ['orderer-org', 'HospitalC', 'HospitalCMSP', 'clashes with the founding org OrdererOrg'],
    ['hospital-c', 'regulator', 'HospitalCMSP', 'clashes with the founding org Regulator'],
    ['hospital-c', 'HospitalC', 'AIProviderMSP', 'clashes with the founding org AIProvider'],
  ])('refuses slug %s, name %s, MSP id %s', (slug, name, mspId, message) => {
    expect(() => joiningOrg(slug, { name, mspId })).toThrow(NetworkError);
    expect(() => joiningOrg(slug, { name, mspId })).toThrow(message);
  });

  it('tells the founding orgs from others', () => {
    expect(isFoundingOrg('hospital-b')).toBe(true);
    expect(isFoundingOrg('orderer-org')).toBe(true);
    expect(isFoundingOrg('hospital-c')).toBe(false);
  });
});
