import { OwnRecordIds } from './own-record-ids';

describe('OwnRecordIds', () => {
  const ids = new OwnRecordIds('HospitalAMSP');

  it("reads a bare id as this org's record and keeps a qualified one", () => {
    expect(ids.id('i-1')).toBe('HospitalAMSP:i-1');
    expect(ids.id('AIProviderMSP:m-1')).toBe('AIProviderMSP:m-1');
    expect(ids.optional(undefined)).toBeUndefined();
  });

  it('qualifies an interaction’s id and references, and nothing else', () => {
    const record = { id: 'i-1', consentId: 'c-1', modelArtifactId: 'AIProviderMSP:m-1', applicationId: 'triage-app' };
    expect(ids.interaction(record)).toEqual({
      id: 'HospitalAMSP:i-1',
      consentId: 'HospitalAMSP:c-1',
      modelArtifactId: 'AIProviderMSP:m-1',
      applicationId: 'triage-app',
    });
    expect(ids.interaction({ id: 'i-2' })).toEqual({ id: 'HospitalAMSP:i-2' });
  });

  it('qualifies artifacts, training runs and consentId filters', () => {
    expect(ids.artifact({ id: 'd-1', consentIds: ['c-1'], parents: ['AIProviderMSP:m-0'] })).toEqual({
      id: 'HospitalAMSP:d-1',
      consentIds: ['HospitalAMSP:c-1'],
      parents: ['AIProviderMSP:m-0'],
    });
    expect(ids.trainingRun({ id: 'r', modelArtifactId: 'm', datasetArtifactIds: ['HospitalBMSP:d', 'd'] })).toEqual({
      id: 'HospitalAMSP:r',
      modelArtifactId: 'HospitalAMSP:m',
      datasetArtifactIds: ['HospitalBMSP:d', 'HospitalAMSP:d'],
    });
    expect(ids.filterValue('consentId', 'c-1')).toBe('HospitalAMSP:c-1');
    expect(ids.filterValue('actorRef', 'c-1')).toBe('c-1');
  });
});
