import { TRAINING_PURPOSE } from './consent';
import { ANNOTATION_LABELS, DATA_CATEGORIES, PURPOSES, annotationLabel, dataCategory, purpose } from './vocabularies';

describe('closed vocabularies', () => {
  it('hold the values the ledger already uses, in kebab-case, without repeats', () => {
    for (const used of ['treatment', 'ai-inference', 'model-training', 'research', TRAINING_PURPOSE])
      expect(PURPOSES).toContain(used);
    expect(DATA_CATEGORIES).toContain('labs');
    for (const used of ['hallucination', 'bias', 'review-needed']) expect(ANNOTATION_LABELS).toContain(used);
    for (const vocabulary of [PURPOSES, DATA_CATEGORIES, ANNOTATION_LABELS]) {
      expect(new Set(vocabulary).size).toBe(vocabulary.length);
      for (const value of vocabulary) expect(value).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
  });

  it.each([
    ['purpose', purpose(), 'ai-inference', PURPOSES],
    ['data category', dataCategory(), 'labs', DATA_CATEGORIES],
    ['annotation label', annotationLabel(), 'hallucination', ANNOTATION_LABELS],
  ])('a %s takes a listed value and refuses a name, listing the allowed values', (_kind, schema, valid, values) => {
    expect(schema.safeParse(valid).success).toBe(true);
    for (const name of ['jane-doe', 'Jane Doe', 'AI-INFERENCE', '']) {
      const result = schema.safeParse(name);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(`must be one of ${values.join(', ')}`);
    }
  });
});
