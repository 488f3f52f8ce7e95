import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { generateApiKey, hashApiKey, looksLikeApiKey, sameDigest } from './api-key';
import { ROLES, type Role } from '@aal/ledger-contract';

/** What the app knows about a key; never the key itself, and the hash never leaves the store. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A newly created key: `key` is shown once and is not stored anywhere. */
export interface CreatedApiKey {
  readonly key: string;
  readonly info: ApiKeyInfo;
}

export const API_KEY_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

const storedKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
const storeFileSchema = z.strictObject({ version: z.literal(1), keys: z.array(storedKeySchema) });
type StoredKey = z.infer<typeof storedKeySchema>;
type StoreFile = z.infer<typeof storeFileSchema>;

/** Why the store refused an operation; `code` lets the HTTP layer and the CLI answer precisely. */
export class ApiKeyStoreError extends Error {
  override readonly name = 'ApiKeyStoreError';

  constructor(
    readonly code: 'invalid-file' | 'insecure-file' | 'duplicate-name' | 'invalid-name' | 'not-found' | 'locked',
    message: string,
  ) {
    super(message);
  }
}

const LOCK_WAIT_MS = 5_000;
const STALE_LOCK_MS = 30_000;

/**
 * The org's API keys, in one JSON file with owner-only permissions (0600), holding only SHA-256
 * hashes. The admin CLI and the running app share the file: the app re-reads it whenever it
 * changed on disk, and every change is a locked read-modify-write replaced atomically (rename),
 * so a reader never sees half a file.
 */
export class ApiKeyStore {
  private cached: { readonly stamp: string; readonly keys: readonly StoredKey[] } | undefined;

  constructor(readonly path: string) {}

  /** Creates a key with one role; refuses a name an active key already has. */
  create(name: string, role: Role, now: Date = new Date()): CreatedApiKey {
    if (!API_KEY_NAME_PATTERN.test(name)) {
      throw new ApiKeyStoreError('invalid-name', `name must match ${API_KEY_NAME_PATTERN.source}`);
    }
    const key = generateApiKey();
    const stored: StoredKey = {
      id: `key_${randomBytes(8).toString('hex')}`,
      name,
      role,
      sha256: hashApiKey(key),
      createdAt: now.toISOString(),
      revokedAt: null,
    };
    this.update((file) => {
      if (file.keys.some((existing) => existing.name === name && existing.revokedAt === null)) {
        throw new ApiKeyStoreError('duplicate-name', `an active key named '${name}' already exists`);
      }
      file.keys.push(stored);
    });
    return { key, info: publicInfo(stored) };
  }

  /** Revokes a key by id; revoking an already revoked key keeps its first revocation time. */
  revoke(id: string, now: Date = new Date()): ApiKeyInfo {
    let revoked: StoredKey | undefined;
    this.update((file) => {
      const index = file.keys.findIndex((candidate) => candidate.id === id);
      const found = file.keys[index];
      if (!found) throw new ApiKeyStoreError('not-found', `no API key with id '${id}'`);
      revoked = { ...found, revokedAt: found.revokedAt ?? now.toISOString() };
      file.keys[index] = revoked;
    });
    return publicInfo(revoked as StoredKey);
  }

  list(): ApiKeyInfo[] {
    return this.current().map(publicInfo);
  }

  /**
   * The active key matching `presented`, or `undefined`. Hashes are compared in constant time
   * and every stored hash is compared, so timing does not reveal which (or whether a) key matched.
   */
  authenticate(presented: string): ApiKeyInfo | undefined {
    if (!looksLikeApiKey(presented)) return undefined;
    const digest = hashApiKey(presented);
    let match: StoredKey | undefined;
    for (const stored of this.current()) {
      if (sameDigest(stored.sha256, digest) && stored.revokedAt === null) match = stored;
    }
    return match ? publicInfo(match) : undefined;
  }

  /** Fails unless the file is absent or a valid, owner-only store: called at start, with a clear message. */
  check(): void {
    this.current();
  }

  private current(): readonly StoredKey[] {
    if (!existsSync(this.path)) return [];
    const stats = statSync(this.path);
    if ((stats.mode & 0o077) !== 0) {
      throw new ApiKeyStoreError('insecure-file', `${this.path} must be readable by its owner only (chmod 600)`);
    }
    const stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    if (this.cached?.stamp !== stamp) this.cached = { stamp, keys: this.read().keys };
    return this.cached.keys;
  }

  private read(): StoreFile {
    if (!existsSync(this.path)) return { version: 1, keys: [] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      throw new ApiKeyStoreError('invalid-file', `${this.path} is not valid JSON (${String(error)})`);
    }
    const result = storeFileSchema.safeParse(parsed);
    if (!result.success)
      throw new ApiKeyStoreError('invalid-file', `${this.path} is not an API key store: ${result.error.message}`);
    return result.data;
  }

  private update(change: (file: StoreFile) => void): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const release = this.lock();
    try {
      const file = this.read();
      change(file);
      const temporary = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
      // The mode given to writeFileSync is filtered by the umask; make it exact.
      chmodSync(temporary, 0o600);
      renameSync(temporary, this.path);
    } finally {
      release();
    }
  }

  /** An exclusive lock file, so the CLI and the app never lose each other's changes. */
  private lock(): () => void {
    const lockPath = `${this.path}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(lockPath, 'wx', 0o600));
        return () => rmSync(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // A lock left by a crashed writer must not block the store forever.
        const lockedAt = statSync(lockPath, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
        if (Date.now() - lockedAt > STALE_LOCK_MS) rmSync(lockPath, { force: true });
        if (Date.now() > deadline) throw new ApiKeyStoreError('locked', `${lockPath} is held by another writer`);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
    }
  }
}

function publicInfo(stored: StoredKey): ApiKeyInfo {
  return {
    id: stored.id,
    name: stored.name,
    role: stored.role,
    createdAt: stored.createdAt,
    revokedAt: stored.revokedAt,
  };
}
