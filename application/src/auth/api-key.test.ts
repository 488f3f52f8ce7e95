import { generateApiKey, hashApiKey, looksLikeApiKey, sameDigest } from './api-key';

describe('API keys', () => {
  it('are aal_ + 32 random bytes in base64url, different every time', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey()));
    expect(keys.size).toBe(100);
    for (const key of keys) {
      expect(key).toMatch(/^aal_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
      expect(looksLikeApiKey(key)).toBe(true);
    }
  });

  it('refuses text that is not shaped like a key', () => {
    for (const text of [
      '',
      'aal_',
      'aal_short',
      `xyz_${'a'.repeat(43)}`,
      `aal_${'a'.repeat(44)}`,
      `aal_${'a'.repeat(42)}!`,
    ]) {
      expect(looksLikeApiKey(text)).toBe(false);
    }
  });

  it('hashes with SHA-256 and compares digests exactly', () => {
    const key = generateApiKey();
    const digest = hashApiKey(key);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain(key.slice(4));
    expect(sameDigest(digest, hashApiKey(key))).toBe(true);
    expect(sameDigest(digest, hashApiKey(generateApiKey()))).toBe(false);
    expect(sameDigest(digest, digest.slice(0, 62))).toBe(false);
    expect(sameDigest('', '')).toBe(false);
  });
});
