import type { Request } from 'express';
import { HttpProblem } from './problem';

/** The `:channel` path parameter, refused with 404 unless this org is a member of that channel. */
export function channelParam(req: Request<{ channel: string }>, channels: readonly string[]): string {
  const channel = req.params.channel;
  if (!channels.includes(channel)) {
    throw new HttpProblem(404, 'Not found', `this org is not a member of channel '${channel}'; its channels: ${channels.join(', ')}`);
  }
  return channel;
}
