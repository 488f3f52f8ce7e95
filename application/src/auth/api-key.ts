import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every key starts with this, so leaked keys are recognisable (e.g. by secret scanners). */
export const API_KEY_PREFIX = 'aal_';

/** 32 random bytes, base64url: 256 bits of entropy. */
const API_KEY_PATTERN = /^aal_[A-Za-z0-9_-]{43}$/;

/** Creates a new API key: `aal_` followed by 32 bytes from the CSPRNG in base64url. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** True when the text has the shape of a key this app issues (checked before hashing anything). */
export function looksLikeApiKey(text: string): boolean {
  return API_KEY_PATTERN.test(text);
}

/**
 * The stored form of a key: SHA-256, hex. A slow password hash (scrypt, argon2) is not needed
 * here: the keys are 256-bit random values, not human-chosen passwords, so there is no dictionary
 * to try and brute force over 2^256 inputs is infeasible whatever the hash speed. A fast hash also
 * keeps authentication cheap on every request.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time, so response timing reveals nothing about a stored hash. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
