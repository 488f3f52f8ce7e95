import { ownRecordIdRule, qualifiedRecordId, recordIdOwnerOf } from './record-id';

describe('record ids', () => {
  it('belong to the org whose namespace they are in', () => {
    expect(recordIdOwnerOf('HospitalAMSP:i-1')).toBe('HospitalAMSP');
    expect(recordIdOwnerOf('i-1')).toBeUndefined();
    expect(recordIdOwnerOf(':i-1')).toBeUndefined();
  });

  it('qualifies a bare id with the given org and keeps a qualified one', () => {
    expect(qualifiedRecordId('HospitalAMSP', 'i-1')).toBe('HospitalAMSP:i-1');
    expect(qualifiedRecordId('HospitalAMSP', ':i-1')).toBe('HospitalAMSP::i-1');
    expect(qualifiedRecordId('HospitalAMSP', 'HospitalAMSP:i-1')).toBe('HospitalAMSP:i-1');
    expect(qualifiedRecordId('HospitalAMSP', 'AIProviderMSP:m-1')).toBe('AIProviderMSP:m-1');
  });

  it('states the rule with the caller’s namespace', () => {
    expect(ownRecordIdRule('HospitalAMSP')).toBe("must be in the caller's namespace ('HospitalAMSP:…')");
  });
});
