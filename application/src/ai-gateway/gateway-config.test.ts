import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config';
import { loadGatewayConfig } from './gateway-config';

const valid = {
  version: 1,
  providers: { openai: { baseUrl: 'https://api.openai.com/v1', credentialFile: 'openai-key' } },
  models: { 'gpt-4o': 'openai' },
  defaults: { consentMode: 'record', channel: 'hospital-a' },
  priceTable: { version: '2026-01', currency: 'USD', prices: [] },
};

describe('gateway configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aal-gateway-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (config: unknown): ReturnType<typeof loadGatewayConfig> => {
    const path = join(dir, 'gateway.json');
    writeFileSync(path, JSON.stringify(config));
    return loadGatewayConfig(path, ['hospital-a']);
  };

  it('fills defaults and resolves the credential file beside the configuration', () => {
    const config = load(valid);
    expect(config.outbox).toEqual({ maxEntries: 100_000, batchRecords: 500 });
    expect(config.consent).toEqual({ cacheMs: 5_000 });
    expect(config.providers.openai?.credentialFile).toBe(join(dir, 'openai-key'));
  });

  it('names every problem at once: unknown provider, foreign channel, duplicate price, bad currency', () => {
    expect(() =>
      load({
        ...valid,
        models: { 'gpt-4o': 'nobody' },
        applications: { app: { consentMode: 'enforce', channel: 'hospital-b' } },
        priceTable: {
          version: 'v1',
          currency: 'USD',
          prices: [
            { provider: 'openai', model: 'm', inputPerMillionMinor: 1, outputPerMillionMinor: 1 },
            { provider: 'openai', model: 'm', inputPerMillionMinor: 2, outputPerMillionMinor: 2 },
          ],
        },
      }),
    ).toThrow(/models\.gpt-4o': names no configured provider[\s\S]*applications\.app\.channel[\s\S]*a second price/);
    expect(() => load({ ...valid, priceTable: { ...valid.priceTable, currency: 'usd' } })).toThrow(
      /priceTable\.currency': must be an ISO 4217 code/,
    );
    expect(() => load({ ...valid, defaults: { consentMode: 'maybe', channel: 'hospital-a' } })).toThrow(ConfigError);
    expect(() => load({ ...valid, extra: true })).toThrow(ConfigError);
  });

  it('refuses fractional prices and a credential file others can read', () => {
    expect(() =>
      load({
        ...valid,
        priceTable: {
          ...valid.priceTable,
          prices: [{ provider: 'openai', model: 'm', inputPerMillionMinor: 2.5, outputPerMillionMinor: 1 }],
        },
      }),
    ).toThrow(/inputPerMillionMinor/);
    writeFileSync(join(dir, 'openai-key'), 'sk-secret');
    chmodSync(join(dir, 'openai-key'), 0o644);
    expect(() => load(valid)).toThrow(/chmod 600/);
  });
});
