import { trainingRunRefusals } from './training-run-refusal';

describe('training run refusals', () => {
  it('gives one error per failing artifact, naming the input field', () => {
    const message = 'training run r1 refused: model m1: is not registered; dataset d2: consent c1 is revoked at 2026-01-01T00:00:00.000Z, consent c2 does not cover model-training; dataset d9: is not registered';
    expect(trainingRunRefusals(message, { modelArtifactId: 'm1', datasetArtifactIds: ['d1', 'd2'] })).toEqual([
      { field: 'modelArtifactId', message: 'model m1: is not registered' },
      { field: 'datasetArtifactIds[1]', message: 'dataset d2: consent c1 is revoked at 2026-01-01T00:00:00.000Z, consent c2 does not cover model-training' },
      { field: '', message: 'dataset d9: is not registered' },
    ]);
  });

  it('reports a reason that names no artifact against the whole body', () => {
    expect(trainingRunRefusals('training run r refused: the datasets list more than 5000 consents: split the run', { modelArtifactId: 'm', datasetArtifactIds: ['d'] })).toEqual([
      { field: '', message: 'the datasets list more than 5000 consents: split the run' },
    ]);
  });
});
