import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { NetworkError } from './errors';

/** What {@link addChannelToGatewayProfile} found and did. */
export type ProfileChannelOutcome = 'added' | 'already-listed' | 'no-profile';

/**
 * Adds `channel` to the `channels` of the gateway profile at `path` (the org's REST app reads it at
 * start), so that the app serves a channel its org joined after the profile was written — from its
 * next start: the app's routes, audit index and auditor-read log are set up per channel at start.
 * The file is replaced whole, with its mode (written beside it, then renamed), so a reader never
 * sees half of it.
 *
 * @returns `no-profile` when there is no profile (the org runs no app from this directory).
 * @throws NetworkError `INVALID_CONFIG` when the file is not a profile with a `channels` list.
 *
 * @example
 * addChannelToGatewayProfile(layout.gatewayProfile(HOSPITAL_B), 'hospital-a'); // 'added'
 */
export function addChannelToGatewayProfile(path: string, channel: string): ProfileChannelOutcome {
  if (!existsSync(path)) return 'no-profile';
  let profile: unknown;
  try {
    profile = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new NetworkError('INVALID_CONFIG', `the gateway profile ${path} is not JSON: ${String(error)}`, {
      cause: error,
    });
  }
  const channels = (profile as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(channels) || !channels.every((name) => typeof name === 'string'))
    throw new NetworkError('INVALID_CONFIG', `the gateway profile ${path} has no list of channel names (channels)`);
  if (channels.includes(channel)) return 'already-listed';
  const updated = { ...(profile as object), channels: [...channels, channel] };
  const next = `${path}.next`;
  writeFileSync(next, JSON.stringify(updated, null, 2), { mode: statSync(path).mode & 0o777 });
  renameSync(next, path);
  return 'added';
}

/**
 * The channels a rewritten gateway profile lists: `own` (the org's channels in the topology), then
 * those the profile at `path` lists beyond them — channels joined later (`join`) or added by the
 * operator — so that restarting the network keeps serving them. A profile that cannot be read adds none.
 */
export function channelsToKeep(path: string, own: readonly string[]): string[] {
  let listed: unknown;
  try {
    listed = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { channels?: unknown }).channels : [];
  } catch {
    listed = [];
  }
  const joined = Array.isArray(listed)
    ? listed.filter((name): name is string => typeof name === 'string' && !own.includes(name))
    : [];
  return [...own, ...joined];
}
