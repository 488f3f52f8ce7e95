import { TIME_RANGE_RULE, interactionFilterSchema, type InteractionFilter } from '@aal/ledger-contract';
import { z } from 'zod';
import type { OwnRecordIds } from '../../records/own-record-ids';
import { minBlockQuery } from '../../audit-index/index-reads';
import { ledgerPaging, pageQueryShape } from './paging';

/** `by`/`value` plus a time range on txTime: the ledger's access paths, with the contract's filter rules. */
export const interactionRangeQuery = {
  by: interactionFilterSchema.shape.by.describe('access path'),
  value: interactionFilterSchema.shape.value.describe(
    "the org MSP id, model, actorRef (your client's clear actor: the app commits it with your org's key, so it finds your org's actors only), subjectRef, consentId (a bare one names your org's consent) or applicationId",
  ),
  from: interactionFilterSchema.shape.from,
  to: interactionFilterSchema.shape.to,
};

/** `GET …/interactions` and `GET …/batches`: the contract's filter, paged by `pageSize` and `cursor` query parameters. */
export const interactionQuerySchema = z
  .strictObject({
    ...interactionRangeQuery,
    order: interactionFilterSchema.shape.order,
    ...pageQueryShape,
  })
  .meta({ 'x-rules': [TIME_RANGE_RULE] });

/** The chaincode filter (`QueryInteractions`, `QueryBatches`) of a validated query; a bare consentId names the app's org's consent. */
export function interactionFilterOf(
  query: z.output<typeof interactionQuerySchema>,
  ids: OwnRecordIds,
): InteractionFilter {
  const { by, value, from, to, order } = query;
  return {
    by,
    value: ids.filterValue(by, value) ?? value,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(order === undefined ? {} : { order }),
    ...ledgerPaging(query),
  };
}

/** `GET …/interactions` and `GET …/batches` answered from the audit index: the same query, plus `minBlock`. */
export const indexInteractionQuerySchema = interactionQuerySchema
  .extend({ minBlock: minBlockQuery })
  .meta({ 'x-rules': [TIME_RANGE_RULE] });

/** The sort key in an index cursor of interactions or batches: txTime, then id. */
export const INTERACTION_CURSOR = z.tuple([z.string(), z.string()]);
