import { existsSync, readFileSync } from 'node:fs';

/** One application user: a Fabric identity with a `role` attribute, enrolled from the org's CA. */
export interface IdentityFiles {
  readonly certificate: string;
  readonly keyDir: string;
}

/** What the network writes for each org's application (see network/src/applications.ts). */
export interface GatewayProfile {
  readonly org: string;
  readonly mspId: string;
  readonly peerEndpoint: string;
  readonly peerTlsRootCert: string;
  readonly channels: readonly string[];
  readonly chaincode: string;
  readonly identities: Readonly<Record<string, IdentityFiles>>;
}

export interface AppConfig {
  readonly host: string;
  readonly port: number;
  readonly profile: GatewayProfile;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and checks the configuration once at start, naming the variable that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const host = env.AAL_HOST ?? '127.0.0.1';
  const port = Number(env.AAL_PORT ?? 3000);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ConfigError(`AAL_PORT must be a port number (1..65535), got '${env.AAL_PORT}'`);
  }
  const profilePath = env.AAL_GATEWAY_PROFILE;
  if (!profilePath) throw new ConfigError('AAL_GATEWAY_PROFILE must name the gateway profile JSON written by the network');
  if (!existsSync(profilePath)) throw new ConfigError(`AAL_GATEWAY_PROFILE: no file at ${profilePath}`);
  let profile: GatewayProfile;
  try {
    profile = JSON.parse(readFileSync(profilePath, 'utf8')) as GatewayProfile;
  } catch (error) {
    throw new ConfigError(`AAL_GATEWAY_PROFILE: ${profilePath} is not valid JSON (${String(error)})`);
  }
  for (const field of ['org', 'mspId', 'peerEndpoint', 'peerTlsRootCert', 'chaincode'] as const) {
    if (typeof profile[field] !== 'string' || profile[field] === '') {
      throw new ConfigError(`AAL_GATEWAY_PROFILE: '${field}' is missing in ${profilePath}`);
    }
  }
  if (!Array.isArray(profile.channels) || profile.channels.length === 0) {
    throw new ConfigError(`AAL_GATEWAY_PROFILE: 'channels' must list at least one channel in ${profilePath}`);
  }
  return { host, port, profile };
}
