/**
 * How long /readyz reuses a chaincode check: an orchestrator polling every second costs one
 * evaluation per 5 s, and a dead chaincode server shows within ~5 s.
 */
export const CHAINCODE_CHECK_TTL_MS = 5_000;

/**
 * How long a refused submit keeps /readyz at "ordering unavailable" without newer evidence: longer
 * than the app's own retries of one request, short enough that an app without writes (hence
 * without evidence) does not stay out of its load balancer.
 */
export const ORDERING_REFUSAL_STALE_MS = 30_000;
