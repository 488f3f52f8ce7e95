/**
 * Limits of the REST app's HTTP layer (the chaincode's are in limits.ts). Each org's app enforces
 * them before reading a request, and its OpenAPI document names their answers (414, 431).
 */
export const HTTP_LIMITS = {
  /** The request target (path and query) in bytes; longer: 414 URI Too Long. */
  urlBytes: 8 * 1024,
  /** The request line and all header fields in bytes (Node's `maxHeaderSize`); more: 431. */
  headerBytes: 16 * 1024,
} as const;
