import type { Context } from 'fabric-contract-api';
import { sortedKeyJson } from '@aal/ledger-contract';

/**
 * Event names. Fabric keeps only the last event a transaction sets, so each transaction emits at
 * most one, and its payload carries everything a listener needs (never personal data).
 */
export type EventName =
  | 'InteractionRecorded'
  | 'ConsentViolation'
  | 'ConsentGranted'
  | 'ConsentRevoked'
  | 'ArtifactRegistered'
  | 'TrainingRunRecorded'
  | 'SubjectErased';

export function emitEvent(ctx: Context, name: EventName, payload: unknown): void {
  ctx.stub.setEvent(name, Buffer.from(sortedKeyJson(payload)));
}
