import { z } from 'zod';
import { HttpProblem } from '../http/problem';
import { decodeIndexCursor, encodeIndexCursor } from './index-cursor';

const SHAPE = z.tuple([z.string(), z.string()]);

describe('index cursors', () => {
  it('decode what they encode', () => {
    const key = ['2026-01-01T00:00:00.000Z', 'HospitalAMSP:i-1'];
    expect(decodeIndexCursor(encodeIndexCursor(key), SHAPE)).toEqual(key);
  });

  it('refuse 400 naming cursor: another shape, not base64url JSON, or a NUL character (PostgreSQL refuses it in text)', () => {
    const hand = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [hand([1, 2]), 'not-a-cursor', hand(['\u0000', 'x']), hand(['2026', 'a\u0000b'])]) {
      let refusal: unknown;
      try {
        decodeIndexCursor(cursor, SHAPE);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(HttpProblem);
      expect(refusal).toMatchObject({ status: 400, extensions: { errors: [{ field: 'cursor' }] } });
    }
  });
});
