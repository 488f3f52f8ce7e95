import { CHANNEL_NAME_PATTERN, recordId } from '@aal/ledger-contract';
import { z } from 'zod';
import { HttpProblem } from '../problem';

/** A Fabric channel name (lower case letters, digits, dots and dashes). */
export const channelNameSchema = z
  .string()
  .regex(CHANNEL_NAME_PATTERN, 'must be a channel name (lower case letters, digits, dots, dashes)')
  .describe('channel name, e.g. hospital-a');

/** Path parameters of a route on a channel's collection. */
export const channelParams = z.strictObject({ channel: channelNameSchema });

/** Path parameters of a route on one record of a channel, its id following the contract's id rule. */
export function channelRecordParams(description: string) {
  return z.strictObject({ channel: channelNameSchema, id: recordId().describe(description) });
}

/** Refuses with 404 unless this org is a member of the channel: other channels do not exist for its callers. */
export function requireMemberChannel(channel: string, channels: readonly string[]): string {
  if (!channels.includes(channel)) {
    throw new HttpProblem(
      404,
      'Not found',
      `this org is not a member of channel '${channel}'; its channels: ${channels.join(', ')}`,
    );
  }
  return channel;
}
