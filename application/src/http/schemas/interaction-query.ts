import { interactionFilterSchema, type InteractionFilter } from '@aal/ledger-contract';
import { z } from 'zod';
import { ledgerPaging, pageQueryShape } from './paging';

/** `by`/`value` plus a time range on txTime: the ledger's access paths, with the contract's filter rules. */
export const interactionRangeQuery = {
  by: interactionFilterSchema.shape.by.describe('access path'),
  value: interactionFilterSchema.shape.value.describe(
    'the org MSP id, model, actorRef, subjectRef, consentId or applicationId',
  ),
  from: interactionFilterSchema.shape.from,
  to: interactionFilterSchema.shape.to,
};

/** `GET …/interactions` and `GET …/batches`: the contract's filter, paged by `pageSize` and `cursor` query parameters. */
export const interactionQuerySchema = z.strictObject({
  ...interactionRangeQuery,
  order: interactionFilterSchema.shape.order,
  ...pageQueryShape,
});

/** The chaincode filter (`QueryInteractions`, `QueryBatches`) of a validated query. */
export function interactionFilterOf(query: z.output<typeof interactionQuerySchema>): InteractionFilter {
  const { by, value, from, to, order } = query;
  return {
    by,
    value,
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    ...(order === undefined ? {} : { order }),
    ...ledgerPaging(query),
  };
}
