import {
  ContractError,
  ValidationError,
  decodeContractError,
  encodeContractError,
  type ContractErrorPayload,
} from './contract-error';
import { LIMITS } from '../limits';

describe('coded contract errors', () => {
  const full: ContractErrorPayload = {
    code: 'PRECONDITION_FAILED',
    message: 'training run r refused: modelArtifactId: model m is not registered',
    reasons: [{ path: 'modelArtifactId', reason: 'model m is not registered' }],
  };

  it('encodes with the code first and decodes back to the same payload', () => {
    const text = encodeContractError(full);
    expect(text.startsWith('{"code":"PRECONDITION_FAILED","message":')).toBe(true);
    expect(decodeContractError(text)).toEqual(full);
    const plain: ContractErrorPayload = { code: 'NOT_FOUND', message: 'interaction x does not exist' };
    expect(encodeContractError(plain)).toBe('{"code":"NOT_FOUND","message":"interaction x does not exist"}');
    expect(decodeContractError(encodeContractError(plain))).toEqual(plain);
  });

  it('decodes a payload from inside the text the peer and gateway wrap it in', () => {
    const wrapped = `10 ABORTED: failed to endorse transaction, see attached details for more info; chaincode response 500, ${encodeContractError(full)}`;
    expect(decodeContractError(wrapped)).toEqual(full);
    expect(
      decodeContractError(`chaincode response 500, ${encodeContractError({ code: 'CONFLICT', message: 'x' })}`),
    ).toEqual({ code: 'CONFLICT', message: 'x' });
  });

  it('answers undefined for text that holds no payload', () => {
    for (const text of [
      '',
      'CONFLICT: consent c-1 already exists',
      '{"code":"NOT_FOUND"',
      '{"code":"TEAPOT","message":"x"}',
      '{"code":"NOT_FOUND","message":1}',
      '{"code":"INVALID_ARGUMENT","message":"m","violations":[{"path":1}]}',
      'null',
    ]) {
      expect(decodeContractError(text)).toBeUndefined();
    }
  });

  it('throws errors whose message is the payload; a validation error names every field', () => {
    const error = new ValidationError([
      { path: 'usage.inputTokens', rule: 'must be at least 0' },
      { path: '', rule: 'is required' },
    ]);
    expect(error).toBeInstanceOf(ContractError);
    expect(decodeContractError(error.message)).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'usage.inputTokens: must be at least 0; (root): is required',
      violations: [
        { path: 'usage.inputTokens', rule: 'must be at least 0' },
        { path: '', rule: 'is required' },
      ],
    });
    expect(new ContractError(full).payload).toEqual(full);
    expect(new ContractError({ code: 'ACCESS_DENIED', message: 'no' }).payload).toEqual({
      code: 'ACCESS_DENIED',
      message: 'no',
    });
  });

  it('bounds the encoded payload: the first entries, cut texts and a count of the others', () => {
    const violations = Array.from({ length: 1000 }, (_, index) => ({
      path: `consentIds[${index}]`,
      rule: `${'x'.repeat(500)} does not exist`,
    }));
    const error = new ValidationError(violations);
    // In-process the error keeps everything; what crosses the gateway is bounded.
    expect(error.violations).toHaveLength(1000);
    expect(error.message.length).toBeLessThan(10_240);
    const decoded = decodeContractError(error.message);
    expect(decoded?.violations).toHaveLength(LIMITS.refusalEntries);
    expect(decoded?.violations?.[0]?.path).toBe('consentIds[0]');
    expect(decoded?.violations?.[0]?.rule).toHaveLength(LIMITS.refusalEntryChars);
    expect(decoded?.message).toHaveLength(LIMITS.refusalMessageChars);
    expect(decoded?.omitted).toBe(1000 - LIMITS.refusalEntries);
    // Violations and reasons share the entries; a small payload is left whole, with no count.
    const both = decodeContractError(
      encodeContractError({
        code: 'PRECONDITION_FAILED',
        message: 'm',
        violations: violations.slice(0, LIMITS.refusalEntries - 2),
        reasons: violations.slice(0, 5).map(({ path }) => ({ path, reason: 'r' })),
      }),
    );
    expect([both?.violations?.length, both?.reasons?.length, both?.omitted]).toEqual([LIMITS.refusalEntries - 2, 2, 3]);
    expect(decodeContractError(encodeContractError({ code: 'NOT_FOUND', message: 'gone' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'gone',
    });
    expect(decodeContractError('{"code":"NOT_FOUND","message":"m","omitted":-1}')).toBeUndefined();
  });
});
