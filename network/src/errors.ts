/**
 * The one error type the network tool throws on purpose. `code` says what went wrong in a word a
 * script can branch on; `message` says it for a person, with the next step when there is one.
 */
export type NetworkErrorCode =
  | 'MISSING_TOOL'
  | 'BUILD_FAILED'
  | 'PORT_IN_USE'
  | 'NODE_UNHEALTHY'
  | 'COMMAND_FAILED'
  | 'NOT_INITIALISED'
  | 'INVALID_CONFIG'
  /** A channel configuration update lacks the signatures its policy needs; nothing was sent. */
  | 'POLICY_NOT_MET'
  /** A channel configuration update was computed against a config the channel has moved on from. */
  | 'STALE_UPDATE'
  /** The org is not a member of the channel it acts on (e.g. a join before the update adding it committed). */
  | 'NOT_A_MEMBER';

export class NetworkError extends Error {
  readonly code: NetworkErrorCode;

  constructor(code: NetworkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
    this.code = code;
  }
}
