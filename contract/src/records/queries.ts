import { z } from 'zod';
import { LIMITS } from '../limits';
import { CONSENT_STATUSES } from './consent-status';
import { dateTime, label, oneOf, printableText } from './fields';

/**
 * The filters of the query transactions (`QueryInteractions`, `QueryBatches`, `QueryConsents`,
 * `QueryArtifacts`): one access path (`by`) and its value, plus paging. Every filter argument is at
 * most {@link LIMITS.filterBytes} of JSON. Whether a bookmark belongs to the query and whether `to`
 * comes after `from` is the ledger's to judge (it knows the key range and the stored time precision).
 */

/** Access paths of `Interactions:QueryInteractions` and `Batches:QueryBatches`, each a time index. */
export const INTERACTION_QUERY_PATHS = [
  'org',
  'requestModel',
  'actorRef',
  'subjectRef',
  'consentId',
  'applicationId',
] as const;
export type InteractionQueryPath = (typeof INTERACTION_QUERY_PATHS)[number];
export const BATCH_QUERY_PATHS = INTERACTION_QUERY_PATHS;
export type BatchQueryPath = InteractionQueryPath;

/** Access paths of `Consents:QueryConsents` (pages in consent-id order). */
export const CONSENT_QUERY_PATHS = ['subjectRef', 'grantee', 'purpose'] as const;
export type ConsentQueryPath = (typeof CONSENT_QUERY_PATHS)[number];

/** Access paths of `Artifacts:QueryArtifacts` (pages in registration order). */
export const ARTIFACT_QUERY_PATHS = ['kind', 'name', 'registeredBy'] as const;
export type ArtifactQueryPath = (typeof ARTIFACT_QUERY_PATHS)[number];

export const QUERY_ORDERS = ['asc', 'desc'] as const;
export type QueryOrder = (typeof QUERY_ORDERS)[number];

/** Records per page when a filter names no `pageSize`. */
export const DEFAULT_PAGE_SIZE = 100;

/** Bookmarks are ledger keys handed back by a previous page; none comes near this. */
const BOOKMARK_MAX_LENGTH = 2048;

const pageSizeRule = `must be an integer from 1 to ${LIMITS.pageSize}`;

/** Records per page, 1 to {@link LIMITS.pageSize} (default {@link DEFAULT_PAGE_SIZE}). */
export const pageSize = () => z.int({ error: pageSizeRule }).min(1, pageSizeRule).max(LIMITS.pageSize, pageSizeRule);

/** The bookmark a previous page returned; empty (or absent) for the first page. */
export const bookmark = () =>
  z.string({ error: 'must be a string' }).max(BOOKMARK_MAX_LENGTH, `must be at most ${BOOKMARK_MAX_LENGTH} characters`);

/** The filter of a time-indexed query: one path and value, an optional `txTime` range (inclusive) and order. */
export function timeIndexFilterSchema<const P extends readonly [string, ...string[]]>(paths: P) {
  return z.strictObject({
    by: oneOf(paths),
    value: printableText(256),
    from: dateTime().optional().describe('lower bound of txTime, inclusive'),
    to: dateTime().optional().describe('upper bound of txTime, inclusive'),
    order: oneOf(QUERY_ORDERS).optional().describe('by txTime; default asc'),
    pageSize: pageSize().optional(),
    bookmark: bookmark().optional(),
  });
}

/** `Interactions:QueryInteractions`' filter. */
export const interactionFilterSchema = timeIndexFilterSchema(INTERACTION_QUERY_PATHS);
export type InteractionFilter = z.output<typeof interactionFilterSchema>;

/** `Batches:QueryBatches`' filter: batches containing at least one record with the value. */
export const batchFilterSchema = timeIndexFilterSchema(BATCH_QUERY_PATHS);
export type BatchFilter = z.output<typeof batchFilterSchema>;

/** `Consents:QueryConsents`' filter; `status` keeps only consents in that status at the query's time. */
export const consentFilterSchema = z.strictObject({
  by: oneOf(CONSENT_QUERY_PATHS),
  value: label(128),
  status: oneOf(CONSENT_STATUSES).optional(),
  pageSize: pageSize().optional(),
  bookmark: bookmark().optional(),
});
export type ConsentFilter = z.output<typeof consentFilterSchema>;

/** `Artifacts:QueryArtifacts`' filter. */
export const artifactFilterSchema = z.strictObject({
  by: oneOf(ARTIFACT_QUERY_PATHS),
  value: printableText(128),
  pageSize: pageSize().optional(),
  bookmark: bookmark().optional(),
});
export type ArtifactFilter = z.output<typeof artifactFilterSchema>;
