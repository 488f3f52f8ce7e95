import { storedInteractionSchema } from '@aal/ledger-contract';
import { z } from 'zod';
import { CSV_COLUMNS } from './interaction-export';

interface ObjectSchema {
  properties?: Record<string, ObjectSchema>;
  anyOf?: ObjectSchema[];
}

/** Every field path of the stored interaction record, nested objects flattened with dots. */
function fieldPaths(schema: ObjectSchema, prefix = ''): string[] {
  const object = schema.properties === undefined ? schema.anyOf?.find((option) => option.properties) : schema;
  return Object.entries(object?.properties ?? {}).flatMap(([name, field]) => {
    const nested = field.properties ?? field.anyOf?.find((option) => option.properties)?.properties;
    return nested === undefined ? [`${prefix}${name}`] : fieldPaths(field, `${prefix}${name}.`);
  });
}

describe('CSV export columns', () => {
  it('are every field of a stored interaction, each once', () => {
    const paths = fieldPaths(z.toJSONSchema(storedInteractionSchema, { io: 'output' }) as ObjectSchema);
    expect(paths).toContain('batchId');
    expect(paths).toContain('consentCheck.allowed');
    expect([...CSV_COLUMNS].sort()).toEqual([...new Set(paths)].sort());
  });
});
