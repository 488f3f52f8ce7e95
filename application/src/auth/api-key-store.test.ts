import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from './api-key';
import { ApiKeyStore, ApiKeyStoreError } from './api-key-store';

describe('ApiKeyStore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-keys-'));
    path = join(dir, 'org', 'api-keys.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores only the hash, in an owner-only file, and authenticates the key with its one role', () => {
    const store = new ApiKeyStore(path);
    const { key, info } = store.create('demo', 'recorder', new Date('2026-01-02T03:04:05Z'));
    expect(info).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{16}$/) as string,
      name: 'demo',
      role: 'recorder',
      createdAt: '2026-01-02T03:04:05.000Z',
      revokedAt: null,
    });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(4));
    expect(text).toContain(hashApiKey(key));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(store.authenticate(key)).toEqual(info);
    expect(store.authenticate(key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A'))).toBeUndefined();
    expect(store.authenticate('not a key')).toBeUndefined();
  });

  it('refuses a second active key with the same name, and a bad name', () => {
    const store = new ApiKeyStore(path);
    store.create('demo', 'recorder');
    expect(() => store.create('demo', 'auditor')).toThrow(expect.objectContaining({ code: 'duplicate-name' }) as Error);
    expect(() => store.create('bad name!', 'auditor')).toThrow(
      expect.objectContaining({ code: 'invalid-name' }) as Error,
    );
  });

  it('revokes: the key stops working at once, the record stays, the name is free again', () => {
    const store = new ApiKeyStore(path);
    const { key, info } = store.create('demo', 'admin');
    const revoked = store.revoke(info.id, new Date('2026-02-01T00:00:00Z'));
    expect(revoked.revokedAt).toBe('2026-02-01T00:00:00.000Z');
    expect(store.authenticate(key)).toBeUndefined();
    expect(store.list()).toEqual([revoked]);
    expect(store.create('demo', 'admin').info.name).toBe('demo');
    expect(() => store.revoke('key_0000000000000000')).toThrow(expect.objectContaining({ code: 'not-found' }) as Error);
  });

  it('sees keys another process (the CLI) added or revoked, without a restart', () => {
    const app = new ApiKeyStore(path);
    const cli = new ApiKeyStore(path);
    expect(app.list()).toEqual([]);
    const { key, info } = cli.create('from-cli', 'auditor');
    expect(app.authenticate(key)?.id).toBe(info.id);
    cli.revoke(info.id);
    expect(app.authenticate(key)).toBeUndefined();
  });

  it('refuses a store file that others can read, or that is not a store', () => {
    const store = new ApiKeyStore(path);
    store.create('demo', 'recorder');
    chmodSync(path, 0o644);
    expect(() => store.check()).toThrow(/chmod 600/);
    writeFileSync(path, '{"version":1,"keys":[{"id":"x"}]}', { mode: 0o600 });
    chmodSync(path, 0o600);
    expect(() => new ApiKeyStore(path).check()).toThrow(ApiKeyStoreError);
  });
});
