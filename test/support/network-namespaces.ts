import { execFile, execFileSync } from 'node:child_process';

/**
 * Linux network namespaces on a bridge, one per org: each has its own interfaces, its own loopback
 * and its own IPv4 address on a /24 the host also has an address on, so an org's processes reach
 * the others only through the bridge — as members on separate hosts do — and listen on nothing of
 * another org's. Needs root and iproute2 (CI runs as root).
 */
export interface NamespaceHost {
  /** The network namespace (`ip netns exec <name> …`). */
  readonly namespace: string;
  /** Its address on the bridge. */
  readonly address: string;
}

export interface NamespaceBridge {
  readonly bridge: string;
  /** The host's own address on the bridge (tests reach the orgs' apps from here). */
  readonly hostAddress: string;
  /** The namespaces, by a key of the caller's (an org slug). */
  readonly hosts: Readonly<Record<string, NamespaceHost>>;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/**
 * Creates bridge `<prefix>br` with the host at `<subnet>.254` and one namespace `<prefix>-<key>` per
 * key, the i-th at `<subnet>.<i + 1>`, with its loopback up. Names leave room for Linux's 15-character
 * interface names. Removes leftovers of an earlier run with the same prefix first.
 */
export function createNamespaceBridge(prefix: string, subnet: string, keys: readonly string[]): NamespaceBridge {
  if (process.getuid?.() !== 0)
    throw new Error('the multi-host suite creates network namespaces and needs root (CI runs as root)');
  removeNamespaceBridge(prefix, keys);
  const bridge = `${prefix}br`;
  const hostAddress = `${subnet}.254`;
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${hostAddress}/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  const hosts: Record<string, NamespaceHost> = {};
  keys.forEach((key, i) => {
    const namespace = `${prefix}-${key}`;
    const veth = `${prefix}v${i}`;
    const address = `${subnet}.${i + 1}`;
    ip('netns', 'add', namespace);
    ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
    ip('link', 'set', veth, 'master', bridge, 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', namespace, 'link', 'set', 'eth0', 'up');
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    hosts[key] = { namespace, address };
  });
  return { bridge, hostAddress, hosts };
}

/** Deletes the namespaces and the bridge of {@link createNamespaceBridge} (their veth pairs go with them); quiet when absent. */
export function removeNamespaceBridge(prefix: string, keys: readonly string[]): void {
  for (const key of keys) {
    try {
      ip('netns', 'del', `${prefix}-${key}`);
    } catch {
      // absent: nothing to remove
    }
  }
  try {
    ip('link', 'del', `${prefix}br`);
  } catch {
    // absent: nothing to remove
  }
}

/** The command line that runs `command` inside `namespace`. */
export function inNamespace(namespace: string, command: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', namespace, command, ...args]];
}

/** An HTTP answer as {@link fetchInNamespace} returns it. */
export interface NamespaceAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Runs inside the namespace: one fetch described by argv[1] (JSON), its status and JSON body on stdout. */
const FETCH_SCRIPT = `
const request = JSON.parse(process.argv[1]);
fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
  .then(async (response) => {
    const text = await response.text();
    process.stdout.write(JSON.stringify({ status: response.status, text }));
  })
  .catch((error) => { process.stderr.write(String(error)); process.exit(1); });
`;

/**
 * An HTTP request made from inside `namespace`, as the org's own clients on its host make it: the
 * apps listen on their host's loopback only. The body is sent as JSON when given.
 */
export function fetchInNamespace(
  namespace: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<NamespaceAnswer> {
  const request = {
    url,
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  };
  return new Promise((resolve, reject) => {
    execFile(
      'ip',
      ['netns', 'exec', namespace, process.execPath, '-e', FETCH_SCRIPT, JSON.stringify(request)],
      { encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(new Error(`fetch ${url} in ${namespace}: ${stderr || error.message}`));
          return;
        }
        const { status, text } = JSON.parse(stdout) as { status: number; text: string };
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status, body });
      },
    );
  });
}
