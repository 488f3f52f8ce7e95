import { z } from 'zod';
import { MSP_ID_PATTERN } from '../auditor-orgs';
import { LIMITS } from '../limits';
import { HEX_256_PATTERN, dateTime, issueAt, oneOf } from './fields';
import { bookmark, pageSize } from './queries';

/**
 * Anchors of auditor-read logs (`ReadLog:AnchorReads`). Each org's REST app keeps a log of its
 * auditors' reads, chained with HMAC-SHA256 under a key only that app holds; it anchors the log's
 * head on every channel it reads, with how many records of each data owner its auditors read
 * there since its previous anchor. The reader org comes from the certificate, never from input;
 * anchors are write-once and their `seq` only grows per (org, log), so a truncated log cannot be
 * hidden by anchoring again; each anchor names the head of the log's previous anchor on the channel
 * (`previousHead`), so a log's anchors form a chain. The data owner reads them from its own peer
 * (`QueryReadAnchors`).
 */

/** A read log's name within its org: an org may run several apps, each with its own log. */
export const READ_LOG_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const readLogName = () =>
  z.string({ error: 'must be a string' }).regex(READ_LOG_NAME_PATTERN, `must match ${READ_LOG_NAME_PATTERN.source}`);

/** An MSP id, e.g. `HospitalAMSP`. */
export const orgMspId = () =>
  z.string({ error: 'must be a string' }).regex(MSP_ID_PATTERN, `must be an MSP id matching ${MSP_ID_PATTERN.source}`);

const readCount = () =>
  z
    .int({ error: 'must be an integer' })
    .min(1, 'must be at least 1 (leave out owners with no reads)')
    .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer');

const readAnchorShape = {
  log: readLogName().describe("the read log's name within the org (one per app instance)"),
  seq: z
    .int({ error: 'must be an integer' })
    .min(1, 'must be at least 1')
    .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer')
    .describe("the log's last entry: its sequence number"),
  head: z
    .string({ error: 'must be a string' })
    .regex(HEX_256_PATTERN, 'must be 64 lowercase hex characters')
    .describe("the log's last entry: its HMAC-SHA256, hex"),
  previousHead: z
    .string({ error: 'must be a string' })
    .regex(HEX_256_PATTERN, 'must be 64 lowercase hex characters')
    .optional()
    .describe(
      "the head of the log's latest anchor on this channel, which this one follows; absent on a log's first anchor (and on anchors stored before chaining, each read as a chain start)",
    ),
  window: z
    .strictObject({
      from: dateTime().describe('time of the first entry since the previous anchor on this channel'),
      to: dateTime().describe('time of the last entry (at or before the transaction time)'),
    })
    .describe('when the reads counted here happened'),
  readsByOwner: z
    .record(z.string(), readCount())
    .superRefine((owners, context) => {
      const names = Object.keys(owners);
      if (names.length > LIMITS.readAnchorOwners)
        context.addIssue({ code: 'custom', path: [], message: `must name at most ${LIMITS.readAnchorOwners} owners` });
      for (const name of names.filter((owner) => !MSP_ID_PATTERN.test(owner)))
        context.addIssue({
          code: 'custom',
          path: [name],
          message: `must be an MSP id matching ${MSP_ID_PATTERN.source}`,
        });
    })
    .describe("records of each data owner (MSP id) the org's auditors read on this channel within the window"),
};

/** `ReadLog:AnchorReads`' argument: what the reader org's app states about its log. */
export const readAnchorSchema = z.strictObject(readAnchorShape).superRefine((anchor, context) => {
  if (Date.parse(anchor.window.from) > Date.parse(anchor.window.to))
    issueAt(context, 'window.to', 'must not be before from');
});
export type ReadAnchor = z.output<typeof readAnchorSchema>;

/** A stored anchor: the app's statement, with who made it (from the certificate) and when (the transaction's time). */
export const storedReadAnchorSchema = z.object({
  ...readAnchorShape,
  org: z.string().describe('reader org (MSP id), from the certificate'),
  anchoredBy: z.string().describe('enrollment id of the user that anchored'),
  txId: z.string(),
  txTime: z.string().describe('when the anchor was committed: every read it counts happened before'),
});
export type StoredReadAnchor = z.output<typeof storedReadAnchorSchema>;

/** Access paths of `ReadLog:QueryReadAnchors`: a reader org's anchors, or those counting a data owner's records. */
export const READ_ANCHOR_QUERY_PATHS = ['org', 'owner'] as const;
export type ReadAnchorQueryPath = (typeof READ_ANCHOR_QUERY_PATHS)[number];

/**
 * `ReadLog:QueryReadAnchors`' filter. `by: 'org'` pages a reader org's anchors by log and `seq`;
 * `by: 'owner'` pages the anchors that count the owner's records, by transaction time (optionally
 * between `from` and `to`, inclusive).
 */
export const readAnchorFilterSchema = z
  .strictObject({
    by: oneOf(READ_ANCHOR_QUERY_PATHS),
    value: orgMspId(),
    from: dateTime().optional().describe('lower bound of txTime, inclusive (by owner only)'),
    to: dateTime().optional().describe('upper bound of txTime, inclusive (by owner only)'),
    pageSize: pageSize().optional(),
    bookmark: bookmark().optional(),
  })
  .superRefine((filter, context) => {
    if (filter.by === 'org' && filter.from !== undefined) issueAt(context, 'from', 'is only allowed with by owner');
    if (filter.by === 'org' && filter.to !== undefined) issueAt(context, 'to', 'is only allowed with by owner');
  });
export type ReadAnchorFilter = z.output<typeof readAnchorFilterSchema>;
