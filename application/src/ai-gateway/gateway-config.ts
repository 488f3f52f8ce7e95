import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { LIMITS } from '@aal/ledger-contract';
import { ConfigError } from '../config';

/** How an application's calls meet consent: `record` lets the ledger judge at commit; `enforce` asks first. */
export const CONSENT_MODES = ['record', 'enforce'] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

const name = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits and . _ -');
const minorPerMillion = z.int('must be an integer').min(0, 'must be at least 0');

const providerSchema = z.strictObject({
  /** e.g. `https://api.openai.com/v1`; the gateway appends `/chat/completions` etc. */
  baseUrl: z.url('must be an http(s) URL').refine((url) => /^https?:\/\//.test(url), 'must be an http(s) URL'),
  /**
   * File (mode 0600) holding the provider's API key, sent as `Authorization: Bearer`. Read by the
   * gateway at each call (a rotated key takes effect at once) and never logged. Absent: no credential.
   */
  credentialFile: z.string().min(1).optional(),
});

const applicationSchema = z.strictObject({
  consentMode: z.enum(CONSENT_MODES),
  /** The channel the application's interactions are recorded on (one of the org's). */
  channel: z.string().min(1),
});

const priceSchema = z.strictObject({
  provider: name,
  model: z.string().min(1).max(256),
  /** Prices per million tokens in integer minor units of the table's currency (250 = 2.50 USD). */
  inputPerMillionMinor: minorPerMillion,
  outputPerMillionMinor: minorPerMillion,
  /** Cached input tokens; absent: the input price. */
  cachedInputPerMillionMinor: minorPerMillion.optional(),
});

/** The gateway's configuration file (JSON), checked once at start; see docs/gateway.md. */
export const gatewayConfigSchema = z.strictObject({
  version: z.literal(1),
  providers: z.record(name, providerSchema).refine((providers) => Object.keys(providers).length > 0, {
    message: 'must name at least one provider',
  }),
  /** Model name as the client sends it → provider name. */
  models: z.record(z.string().min(1).max(256), name),
  /** Provider for models `models` does not name; absent: such models are refused (404). */
  defaultProvider: name.optional(),
  /** Settings by applicationId (the name a gateway key was issued under); `defaults` for the others. */
  applications: z.record(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/), applicationSchema).default({}),
  defaults: applicationSchema,
  priceTable: z.strictObject({
    /** Recorded with every priced call (`cost.priceTableVersion`): change it whenever a price changes. */
    version: z.string().regex(/^[\p{L}\p{N} ._:/-]{1,64}$/u, 'must be 1 to 64 letters, digits, spaces and . _ : / -'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
    prices: z.array(priceSchema),
  }),
  outbox: z
    .strictObject({
      /** Undelivered records the outbox holds at most; a call that finds it full is refused (503). */
      maxEntries: z.int().min(1).max(10_000_000).default(100_000),
      /** Records per Merkle batch the shipper writes (at most the contract's Merkle batch limit). */
      batchRecords: z.int().min(1).max(LIMITS.merkleBatchRecords).default(500),
    })
    .default({ maxEntries: 100_000, batchRecords: 500 }),
  consent: z
    .strictObject({
      /** How long an `enforce` verdict is reused while the chaincode event stream is up. */
      cacheMs: z.int().min(0).max(60_000).default(5_000),
    })
    .default({ cacheMs: 5_000 }),
});
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;

/**
 * Reads and checks the gateway configuration file; relative credential paths are resolved against
 * the file's directory. Every problem is reported at once, each naming its field.
 */
export function loadGatewayConfig(path: string, channels: readonly string[]): GatewayConfig {
  if (!existsSync(path)) throw new ConfigError(`AAL_AI_GATEWAY_CONFIG: no file at ${path}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`AAL_AI_GATEWAY_CONFIG: ${path} is not valid JSON (${String(error)})`);
  }
  const parsed = gatewayConfigSchema.safeParse(json);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `'${issue.path.join('.')}': ${issue.message}`);
  if (parsed.success) problems.push(...crossFieldProblems(parsed.data, channels));
  if (!parsed.success || problems.length > 0)
    throw new ConfigError(
      `AAL_AI_GATEWAY_CONFIG: ${path} is not a usable gateway configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`,
    );
  const base = dirname(resolve(path));
  const providers = Object.fromEntries(
    Object.entries(parsed.data.providers).map(([providerName, provider]) => [
      providerName,
      provider.credentialFile === undefined || isAbsolute(provider.credentialFile)
        ? provider
        : { ...provider, credentialFile: resolve(base, provider.credentialFile) },
    ]),
  );
  for (const [providerName, provider] of Object.entries(providers)) {
    const file = provider.credentialFile;
    if (file !== undefined && existsSync(file) && (statSync(file).mode & 0o077) !== 0)
      throw new ConfigError(
        `AAL_AI_GATEWAY_CONFIG: providers.${providerName}.credentialFile ${file} must be readable by its owner only (chmod 600)`,
      );
  }
  return { ...parsed.data, providers };
}

/** The rules between fields: routes name configured providers, channels are the org's. */
function crossFieldProblems(config: GatewayConfig, channels: readonly string[]): string[] {
  const problems: string[] = [];
  const providers = new Set(Object.keys(config.providers));
  for (const [model, provider] of Object.entries(config.models))
    if (!providers.has(provider)) problems.push(`'models.${model}': names no configured provider ('${provider}')`);
  if (config.defaultProvider !== undefined && !providers.has(config.defaultProvider))
    problems.push(`'defaultProvider': names no configured provider ('${config.defaultProvider}')`);
  const settings = [
    ['defaults', config.defaults] as const,
    ...Object.entries(config.applications).map(([id, app]) => [`applications.${id}`, app] as const),
  ];
  for (const [path, app] of settings)
    if (!channels.includes(app.channel))
      problems.push(`'${path}.channel': '${app.channel}' is not a channel of this org (${channels.join(', ')})`);
  const seen = new Set<string>();
  for (const [index, price] of config.priceTable.prices.entries()) {
    const key = `${price.provider}\u0000${price.model}`;
    if (seen.has(key))
      problems.push(`'priceTable.prices.${index}': a second price for ${price.provider}/${price.model}`);
    seen.add(key);
    if (!providers.has(price.provider))
      problems.push(`'priceTable.prices.${index}.provider': names no configured provider`);
  }
  return problems;
}
