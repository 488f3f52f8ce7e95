import * as grpc from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { ContractError, ValidationError, encodeContractError, subjectErasedRefusal } from '@aal/ledger-contract';
import { invalidatedTransaction, toLedgerError } from './gateway-ledger-client';

function gatewayError(code: grpc.status, message: string, details: string[] = []): GatewayError {
  return new GatewayError({
    code,
    message,
    details: details.map((detail) => ({ address: 'peer0:7051', mspId: 'HospitalAMSP', message: detail })),
    cause: Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() }),
  });
}

/** An endorsement failure as the gateway reports a chaincode error: ABORTED, the chaincode's message wrapped in each detail. */
function endorsementFailure(chaincodeMessage: string): GatewayError {
  return gatewayError(
    grpc.status.ABORTED,
    '10 ABORTED: failed to endorse transaction, see attached details for more info',
    [`chaincode response 500, ${chaincodeMessage}`, `chaincode response 500, ${chaincodeMessage}`],
  );
}

describe('classifying ledger failures', () => {
  it('decodes the chaincode error payload: code to kind, its message, and the failing fields of INVALID_ARGUMENT', () => {
    const invalid = toLedgerError(
      endorsementFailure(
        new ValidationError([
          { path: 'usage.inputTokens', rule: 'must be at least 0' },
          { path: '[3].id', rule: 'is required' },
        ]).message,
      ),
    );
    expect(invalid).toMatchObject({
      kind: 'invalid-argument',
      code: 'INVALID_ARGUMENT',
      transient: false,
      message: 'usage.inputTokens: must be at least 0; [3].id: is required',
    });
    expect(invalid.violations).toEqual([
      { path: 'usage.inputTokens', rule: 'must be at least 0' },
      { path: '[3].id', rule: 'is required' },
    ]);
    const kinds: [ContractError, string][] = [
      [new ContractError({ code: 'NOT_FOUND', message: 'consent c1 does not exist' }), 'not-found'],
      [
        new ContractError({ code: 'CONFLICT', message: 'interaction i1 already exists with different content' }),
        'conflict',
      ],
      [new ContractError({ code: 'ACCESS_DENIED', message: 'role auditor may not record' }), 'forbidden'],
      [new ContractError({ code: 'PRECONDITION_FAILED', message: 'dataset d1 has no consent' }), 'precondition-failed'],
    ];
    for (const [refusal, kind] of kinds) {
      expect(toLedgerError(endorsementFailure(refusal.message))).toMatchObject({
        kind,
        message: refusal.detail,
        transient: false,
      });
    }
  });

  it('keeps the reasons of a failed precondition, each naming its input', () => {
    const reasons = [{ path: 'datasetArtifactIds[1]', reason: 'consent c1 does not cover model-training' }];
    const error = toLedgerError(
      endorsementFailure(
        encodeContractError({ code: 'PRECONDITION_FAILED', message: 'training run r1 refused', reasons }),
      ),
    );
    expect(error).toMatchObject({ kind: 'precondition-failed', message: 'training run r1 refused' });
    expect(error.reasons).toEqual(reasons);
    expect(toLedgerError(endorsementFailure(encodeContractError(subjectErasedRefusal('sub_1')))).reasons).toEqual([
      { path: 'subjectRef', reason: 'erased' },
    ]);
  });

  it('treats a chaincode failure without a payload as a final rejection with the chaincode’s text', () => {
    const error = toLedgerError(endorsementFailure("You've asked to invoke a function that does not exist: Nope"));
    expect(error).toMatchObject({
      kind: 'rejected',
      transient: false,
      message: "You've asked to invoke a function that does not exist: Nope",
    });
    expect(error.code).toBeUndefined();
  });

  it('treats an unreachable or slow peer as transient and unavailable, and a refused identity as forbidden', () => {
    for (const code of [
      grpc.status.UNAVAILABLE,
      grpc.status.DEADLINE_EXCEEDED,
      grpc.status.ABORTED,
      grpc.status.CANCELLED,
    ]) {
      expect(toLedgerError(gatewayError(code, 'no connection'))).toMatchObject({
        kind: 'unavailable',
        transient: true,
      });
    }
    expect(toLedgerError(gatewayError(grpc.status.PERMISSION_DENIED, 'denied'))).toMatchObject({
      kind: 'forbidden',
      transient: false,
    });
    expect(toLedgerError(new Error('boom'))).toMatchObject({ kind: 'internal', transient: false });
  });

  it('treats endorsement every endorser refused for the creator (removed org, revoked certificate) as forbidden, a mixed refusal as transient', () => {
    const denied = (channel: string): string =>
      `rpc error: code = Unknown desc = error validating proposal: access denied: channel [${channel}] creator org unknown, creator is malformed`;
    const aborted = '10 ABORTED: failed to collect enough transaction endorsements, see attached details for more info';
    const deniedBy = (mspIds: string[], message: string): GatewayError =>
      new GatewayError({
        code: grpc.status.ABORTED,
        message: aborted,
        details: mspIds.map((mspId, i) => ({ address: `peer${i}:7051`, mspId, message })),
        cause: Object.assign(new Error(aborted), {
          code: grpc.status.ABORTED,
          details: aborted,
          metadata: new grpc.Metadata(),
        }),
      });
    expect(toLedgerError(deniedBy(['AIProviderMSP', 'RegulatorMSP'], denied('hospital-a')))).toMatchObject({
      kind: 'forbidden',
      transient: false,
      endorserErrors: [
        `peer0:7051 (AIProviderMSP): ${denied('hospital-a')}`,
        `peer1:7051 (RegulatorMSP): ${denied('hospital-a')}`,
      ],
    });
    // Another org's peers alone (a deviating member's, or one behind on config blocks) do not make it
    // final; the app's own org's peer does.
    expect(toLedgerError(deniedBy(['RegulatorMSP'], denied('hospital-a')), 'HospitalAMSP')).toMatchObject({
      kind: 'unavailable',
      transient: true,
    });
    expect(toLedgerError(deniedBy(['HospitalAMSP'], denied('hospital-a')), 'HospitalAMSP')).toMatchObject({
      kind: 'forbidden',
      transient: false,
    });
    // What the remaining members' peers answered HospitalB's app once a majority removed it (consortium-hosts.test.ts).
    const writersPolicy =
      "rpc error: code = Unknown desc = Failed evaluating policy on signed data during check policy on channel [hospital-a] with policy [/Channel/Application/Writers]: [implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied]";
    expect(toLedgerError(deniedBy(['AIProviderMSP', 'RegulatorMSP'], writersPolicy))).toMatchObject({
      kind: 'forbidden',
      transient: false,
    });
    expect(
      toLedgerError(gatewayError(grpc.status.ABORTED, aborted, [denied('hospital-a'), 'connection refused'])),
    ).toMatchObject({
      kind: 'unavailable',
      transient: true,
      endorserErrors: [
        `peer0:7051 (HospitalAMSP): ${denied('hospital-a')}`,
        'peer0:7051 (HospitalAMSP): connection refused',
      ],
    });
    expect(toLedgerError(gatewayError(grpc.status.ABORTED, aborted))).toMatchObject({
      kind: 'unavailable',
      transient: true,
    });
  });

  it('marks an unavailable ordering service (the gateway SubmitError) as not ordered, endorsement failures not', () => {
    const submit = Object.assign(gatewayError(grpc.status.UNAVAILABLE, 'no Raft leader'), { name: 'SubmitError' });
    expect(toLedgerError(submit)).toMatchObject({ kind: 'unavailable', transient: true, notOrdered: true });
    expect(toLedgerError(gatewayError(grpc.status.UNAVAILABLE, 'endorse failed'))).toMatchObject({
      kind: 'unavailable',
      notOrdered: false,
    });
  });

  it('treats too few live endorsers (discovery or the gateway) as transient and unavailable, other failed preconditions as internal', () => {
    const noEndorsers = gatewayError(
      grpc.status.FAILED_PRECONDITION,
      'no combination of peers can be derived which satisfy the endorsement policy: no peer combination can satisfy the endorsement policy',
    );
    expect(toLedgerError(noEndorsers)).toMatchObject({ kind: 'unavailable', transient: true });
    // The gateway's own planning, with peers it cannot reach (an org cut off, CI 2026-12-01).
    const unreachable =
      'failed to select a set of endorsers that satisfy the endorsement policy due to unavailability of peers: [peer0.hospital-b:7051]';
    expect(toLedgerError(gatewayError(grpc.status.FAILED_PRECONDITION, unreachable))).toMatchObject({
      kind: 'unavailable',
      transient: true,
    });
    // No peer unreachable (an empty list), or no peer with the chaincode: a set-up fault, not "not now".
    for (const message of [
      'failed to select a set of endorsers that satisfy the endorsement policy due to unavailability of peers: []',
      'no peers available to evaluate chaincode audit in channel hospital-a',
    ]) {
      expect(toLedgerError(gatewayError(grpc.status.FAILED_PRECONDITION, message))).toMatchObject({
        kind: 'internal',
        transient: false,
      });
    }
  });

  it('treats a reset gRPC stream (INTERNAL from the transport) as transient and unavailable, other INTERNAL as internal', () => {
    const reset = 'Received RST_STREAM with code 2 triggered by internal client error: Protocol error';
    expect(toLedgerError(gatewayError(grpc.status.INTERNAL, reset))).toMatchObject({
      kind: 'unavailable',
      transient: true,
    });
    expect(toLedgerError(gatewayError(grpc.status.INTERNAL, 'failed to endorse'))).toMatchObject({
      kind: 'internal',
      transient: false,
    });
  });

  it('treats read conflicts at commit as transient conflicts, other invalidations as final', () => {
    expect(invalidatedTransaction('t', 11)).toMatchObject({ kind: 'conflict', transient: true });
    expect(invalidatedTransaction('t', 12)).toMatchObject({ kind: 'conflict', transient: true });
    expect(invalidatedTransaction('t', 10)).toMatchObject({ kind: 'rejected', transient: false });
  });
});
