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

/**
 * How long the app's submits on a channel may wait with none ordered before /readyz reports the
 * channel's writes stalled: far beyond a submit's commit latency under load (p99 about 2 s), short
 * enough that an org cut off from the others leaves its load balancer within seconds.
 */
export const SUBMITS_STALLED_AFTER_MS = 10_000;
