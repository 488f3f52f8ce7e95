import * as grpc from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { fromChaincodeReason, invalidatedTransaction, toLedgerError } from './gateway-ledger-client';

function gatewayError(code: grpc.status, message: string, details: string[] = []): GatewayError {
  return new GatewayError({
    code,
    message,
    details: details.map((detail) => ({ address: 'peer0:7051', mspId: 'HospitalAMSP', message: detail })),
    cause: Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() }),
  });
}

describe('classifying ledger failures', () => {
  it('maps the chaincode error codes to kinds, with the failing fields of INVALID_ARGUMENT', () => {
    const invalid = fromChaincodeReason('INVALID_ARGUMENT: usage.inputTokens: must be a non-negative integer; [3].id: is required');
    expect(invalid.kind).toBe('invalid-argument');
    expect(invalid.violations).toEqual([
      { field: 'usage.inputTokens', message: 'must be a non-negative integer' },
      { field: '[3].id', message: 'is required' },
    ]);
    expect(fromChaincodeReason('NOT_FOUND: consent c1 does not exist').kind).toBe('not-found');
    expect(fromChaincodeReason('CONFLICT: interaction i1 already exists with different content').kind).toBe('conflict');
    expect(fromChaincodeReason('ACCESS_DENIED: access denied: role auditor').kind).toBe('forbidden');
    expect(fromChaincodeReason('PRECONDITION_FAILED: dataset d1 has no consent').kind).toBe('precondition-failed');
    expect(fromChaincodeReason('probe p1 already exists').kind).toBe('conflict');
    expect(fromChaincodeReason('probe p1 does not exist').kind).toBe('not-found');
    expect(fromChaincodeReason('id: must match ^x$').kind).toBe('rejected');
  });

  it('reads the chaincode reason out of a gateway error', () => {
    const error = toLedgerError(gatewayError(grpc.status.ABORTED, '10 ABORTED: failed to endorse', ['chaincode response 500, NOT_FOUND: probe x does not exist']));
    expect(error).toMatchObject({ kind: 'not-found', message: 'probe x does not exist', transient: false });
  });

  it('treats an unreachable or slow peer as transient and unavailable, and a refused identity as forbidden', () => {
    for (const code of [grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.ABORTED]) {
      expect(toLedgerError(gatewayError(code, 'no connection'))).toMatchObject({ kind: 'unavailable', transient: true });
    }
    expect(toLedgerError(gatewayError(grpc.status.PERMISSION_DENIED, 'denied'))).toMatchObject({ kind: 'forbidden', transient: false });
    expect(toLedgerError(new Error('boom'))).toMatchObject({ kind: 'internal', transient: false });
  });

  it('treats read conflicts at commit as transient conflicts, other invalidations as final', () => {
    expect(invalidatedTransaction('t', 11)).toMatchObject({ kind: 'conflict', transient: true });
    expect(invalidatedTransaction('t', 12)).toMatchObject({ kind: 'conflict', transient: true });
    expect(invalidatedTransaction('t', 10)).toMatchObject({ kind: 'rejected', transient: false });
  });
});
