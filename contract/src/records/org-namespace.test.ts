import { orgNamespaceOf, orgNamespaced } from './org-namespace';

describe('org namespaces', () => {
  it('names the owning org of a namespaced name: everything before the first colon', () => {
    expect(orgNamespaced('HospitalAMSP', 'sub_00ff')).toBe('HospitalAMSP:sub_00ff');
    expect(orgNamespaceOf('HospitalAMSP:sub_00ff')).toBe('HospitalAMSP');
    expect(orgNamespaceOf('HospitalAMSP:triage-app:v2')).toBe('HospitalAMSP');
  });

  it('gives no owner to a name without a namespace', () => {
    expect(orgNamespaceOf('s-1')).toBeUndefined();
    expect(orgNamespaceOf(':s-1')).toBeUndefined();
  });
});
