import { ContractError, ValidationError, encodeContractError, subjectErasedRefusal } from '@aal/ledger-contract';
import { chaincodeRefusal } from './chaincode-refusal';

/** How the gateway reports a chaincode error in each endorsement detail. */
const wrapped = (chaincodeMessage: string): string => `chaincode response 500, ${chaincodeMessage}`;

describe('chaincodeRefusal', () => {
  it('decodes the payload out of the gateway text: kind by code, the message, the failing fields', () => {
    const error = chaincodeRefusal([
      '10 ABORTED: failed to endorse transaction',
      wrapped(new ValidationError([{ path: '[3].id', rule: 'is required' }]).message),
    ]);
    expect(error).toMatchObject({
      kind: 'invalid-argument',
      code: 'INVALID_ARGUMENT',
      message: '[3].id: is required',
      transient: false,
    });
    expect(error?.violations).toEqual([{ path: '[3].id', rule: 'is required' }]);
    expect(error?.reasons).toEqual([]);
  });

  it('maps every code to its kind and keeps the reasons', () => {
    const kinds = {
      NOT_FOUND: 'not-found',
      CONFLICT: 'conflict',
      ACCESS_DENIED: 'forbidden',
      PRECONDITION_FAILED: 'precondition-failed',
      INVALID_ARGUMENT: 'invalid-argument',
    } as const;
    for (const [code, kind] of Object.entries(kinds)) {
      expect(
        chaincodeRefusal([wrapped(new ContractError({ code: code as keyof typeof kinds, message: 'm' }).message)]),
      ).toMatchObject({ kind, message: 'm' });
    }
    const reasons = [{ path: 'datasetArtifactIds[0]', reason: 'dataset d1 is not registered' }];
    expect(
      chaincodeRefusal([
        wrapped(encodeContractError({ code: 'PRECONDITION_FAILED', message: 'training run r refused', reasons })),
      ])?.reasons,
    ).toEqual(reasons);
    expect(chaincodeRefusal([wrapped(encodeContractError(subjectErasedRefusal('sub_1')))])).toMatchObject({
      kind: 'not-found',
      message: 'subject sub_1 erased',
    });
  });

  it('answers a final rejection with the chaincode text when it holds no payload, and nothing for failures outside the chaincode', () => {
    expect(chaincodeRefusal([wrapped("You've asked to invoke a function that does not exist: X")])).toMatchObject({
      kind: 'rejected',
      code: undefined,
      message: "You've asked to invoke a function that does not exist: X",
    });
    expect(chaincodeRefusal(['14 UNAVAILABLE: No connection established'])).toBeUndefined();
    // Prose that merely resembles the old "CODE: message" format is not a coded refusal.
    expect(chaincodeRefusal([wrapped('NOT_FOUND: interaction x does not exist')])).toMatchObject({ kind: 'rejected' });
  });
});
