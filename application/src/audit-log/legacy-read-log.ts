import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The auditor-read log's first format: an unkeyed SHA-256 chain (`prevHash`, `hash`), without
 * owners, subjects or anchors. Recognised only so that an app upgraded on an existing network moves
 * such a log aside instead of refusing to start; nothing writes this format any more.
 */
const legacyEntrySchema = z.strictObject({
  seq: z.int().min(1),
  time: z.string(),
  requestId: z.string(),
  keyName: z.string(),
  role: z.string(),
  route: z.string(),
  resourceIds: z.record(z.string(), z.string()),
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

/** True when `text` is a complete, unbroken log of the unkeyed format. */
export function isUnkeyedLegacyLog(text: string): boolean {
  if (text === '' || !text.endsWith('\n')) return false;
  let previous = { seq: 0, hash: '0'.repeat(64) };
  for (const line of text.slice(0, -1).split('\n')) {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return false;
    }
    const parsed = legacyEntrySchema.safeParse(json);
    if (!parsed.success) return false;
    const entry = parsed.data;
    if (entry.seq !== previous.seq + 1 || entry.prevHash !== previous.hash) return false;
    const resourceIds = Object.keys(entry.resourceIds)
      .sort()
      .map((name) => [name, entry.resourceIds[name]]);
    const fields = [
      entry.seq,
      entry.prevHash,
      entry.time,
      entry.requestId,
      entry.keyName,
      entry.role,
      entry.route,
      resourceIds,
    ];
    if (createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex') !== entry.hash) return false;
    previous = { seq: entry.seq, hash: entry.hash };
  }
  return true;
}
