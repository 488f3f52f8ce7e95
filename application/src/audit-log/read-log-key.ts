import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

/** The log key's file: 32 random bytes as 64 hex characters and a newline. */
const KEY_TEXT = /^[0-9a-f]{64}\n?$/;

/** Where the key of a log lives unless configured: beside the log, `<log file>.key`. */
export function defaultReadLogKeyPath(logPath: string): string {
  return `${logPath}.key`;
}

/** The log key cannot be used (missing while the log holds entries, unreadable, malformed, open to others). */
export class ReadLogKeyError extends Error {
  override readonly name = 'ReadLogKeyError';
}

/**
 * Reads the HMAC key of an auditor-read log. It must be the owner's alone (mode 0600): whoever
 * reads it can forge a chain.
 *
 * @throws ReadLogKeyError when the file is missing, open to others or malformed
 */
export function readReadLogKey(keyPath: string): Buffer {
  if (!existsSync(keyPath)) throw new ReadLogKeyError(`the auditor-read log key ${keyPath} does not exist`);
  if ((statSync(keyPath).mode & 0o077) !== 0) {
    throw new ReadLogKeyError(`the auditor-read log key ${keyPath} must be readable by its owner only (chmod 600)`);
  }
  const text = readFileSync(keyPath, 'utf8');
  if (!KEY_TEXT.test(text)) {
    throw new ReadLogKeyError(`the auditor-read log key ${keyPath} is not 64 lowercase hex characters`);
  }
  return Buffer.from(text.trim(), 'hex');
}

/**
 * Creates a new key file (32 random bytes, mode 0600); refuses to overwrite an existing one, so a
 * key is never silently replaced.
 */
export function createReadLogKey(keyPath: string): Buffer {
  const key = randomBytes(32);
  writeFileSync(keyPath, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFileSync is filtered by the umask; make it exact.
  chmodSync(keyPath, 0o600);
  return key;
}
