import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiKeyCli } from './api-key-cli';
import { ApiKeyStore } from './auth/api-key-store';

describe('npm run apikey', () => {
  let networkDir: string;
  const previous = process.env.AAL_NETWORK_DIR;
  beforeEach(() => {
    networkDir = mkdtempSync(join(tmpdir(), 'aal-cli-'));
    mkdirSync(join(networkDir, 'orgs', 'hospital-a'), { recursive: true });
    process.env.AAL_NETWORK_DIR = networkDir;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.AAL_NETWORK_DIR;
    else process.env.AAL_NETWORK_DIR = previous;
    rmSync(networkDir, { recursive: true, force: true });
  });

  it('creates a key in the org’s store, prints it once, lists and revokes it', () => {
    const out: string[] = [];
    expect(
      runApiKeyCli(['create', '--org', 'hospital-a', '--role', 'recorder', '--name', 'demo', '--json'], (line) =>
        out.push(line),
      ),
    ).toBe(0);
    const created = JSON.parse(out[0] ?? '') as { id: string; key: string; role: string };
    expect(created.role).toBe('recorder');
    const store = new ApiKeyStore(join(networkDir, 'orgs', 'hospital-a', 'api-keys.json'));
    expect(store.authenticate(created.key)?.id).toBe(created.id);

    out.length = 0;
    runApiKeyCli(['list', '--org', 'hospital-a'], (line) => out.push(line));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(created.id);
    expect(out[0]).not.toContain(created.key);

    runApiKeyCli(['revoke', '--org', 'hospital-a', '--id', created.id], () => undefined);
    expect(store.authenticate(created.key)).toBeUndefined();
  });

  it('refuses an unknown org, role or command with a usage message', () => {
    expect(() => runApiKeyCli(['create', '--org', 'hospital-z', '--role', 'recorder', '--name', 'x'])).toThrow(
      /no org 'hospital-z'/,
    );
    expect(() => runApiKeyCli(['create', '--org', 'hospital-a', '--role', 'root', '--name', 'x'])).toThrow(
      /--role must be one of/,
    );
    expect(() => runApiKeyCli(['rotate', '--org', 'hospital-a'])).toThrow(/unknown command 'rotate'/);
    expect(() => runApiKeyCli(['list'])).toThrow(/name the org/);
  });

  it('issues an AI gateway key for an application into the org’s gateway key store with --gateway', () => {
    const out: string[] = [];
    expect(
      runApiKeyCli(['create', '--org', 'hospital-a', '--gateway', '--name', 'triage-app', '--json'], (line) =>
        out.push(line),
      ),
    ).toBe(0);
    const created = JSON.parse(out[0] ?? '') as { id: string; key: string; name: string };
    const gatewayKeys = new ApiKeyStore(join(networkDir, 'orgs', 'hospital-a', 'ai-gateway-keys.json'));
    expect(gatewayKeys.authenticate(created.key)).toMatchObject({ id: created.id, name: 'triage-app' });
    // Not a REST API key.
    expect(
      new ApiKeyStore(join(networkDir, 'orgs', 'hospital-a', 'api-keys.json')).authenticate(created.key),
    ).toBeUndefined();
    out.length = 0;
    runApiKeyCli(['list', '--org', 'hospital-a', '--gateway'], (line) => out.push(line));
    expect(out.join('\n')).toContain('triage-app');
    runApiKeyCli(['revoke', '--org', 'hospital-a', '--gateway', '--id', created.id], () => undefined);
    expect(gatewayKeys.authenticate(created.key)).toBeUndefined();
  });

  it('refuses a gateway key without a valid applicationId, with a role, or with --store', () => {
    expect(() => runApiKeyCli(['create', '--org', 'hospital-a', '--gateway'])).toThrow(/the applicationId/);
    expect(() => runApiKeyCli(['create', '--org', 'hospital-a', '--gateway', '--name', 'triage app'])).toThrow(
      /--name must be an applicationId/,
    );
    expect(() =>
      runApiKeyCli(['create', '--org', 'hospital-a', '--gateway', '--name', 'x', '--role', 'auditor']),
    ).toThrow(/no role to choose/);
    expect(() => runApiKeyCli(['list', '--store', join(networkDir, 'keys.json'), '--gateway'])).toThrow(/give --org/);
  });
});
