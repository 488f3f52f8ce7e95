import { addExactly, TotalTooLargeError } from './exact-total';

describe('addExactly', () => {
  it('adds safe integers up to 2^53 − 1', () => {
    expect(addExactly(2, 3)).toBe(5);
    expect(addExactly(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a sum past 2^53 − 1, and a value a database already rounded', () => {
    expect(() => addExactly(Number.MAX_SAFE_INTEGER, 1)).toThrow(TotalTooLargeError);
    expect(() => addExactly(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toThrow(
      /not a whole number below 2\^53/,
    );
    expect(() => addExactly(0, 2 ** 60)).toThrow(TotalTooLargeError);
  });
});
