/**
 * Test fixture shared by the unit tests that need a real certificate revocation list. Not used at
 * run time.
 */

/** A CRL as Fabric CA 1.5 generates it (`gencrl`), revoking one certificate. */
export const ONE_REVOKED = `-----BEGIN X509 CRL-----
MIIBOzCB4gIBATAKBggqhkjOPQQDAjBlMQswCQYDVQQGEwJVUzEXMBUGA1UECBMO
Tm9ydGggQ2Fyb2xpbmExFDASBgNVBAoTC0h5cGVybGVkZ2VyMQ8wDQYDVQQLEwZG
YWJyaWMxFjAUBgNVBAMTDWNhLmhvc3BpdGFsLWEXDTI2MTEzMDExNTc0N1oXDTI2
MTIwMTExNTc0N1owJzAlAhRHYUk+pal0hXiN5iTsBBxNn312fBcNMjYxMTMwMTE1
NzQ3WqAjMCEwHwYDVR0jBBgwFoAU7pfQgJNNInbUWshxYoI9UXMViFcwCgYIKoZI
zj0EAwIDSAAwRQIhAIittQiusMkqGvJA0C0EzNLolwb20M8vrFl1Ntkv7Ff5AiA/
HwFYtAEsuTY8g7FLX/cLxMLuA+mjjdigd7Nh0ALh2g==
-----END X509 CRL-----
`;
