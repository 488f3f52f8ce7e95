/**
 * `npm run bench:gateway [-- --rate 500 --seconds 20 --quick --profile]`: what the AI gateway adds to a model
 * call. On a network it starts (3 Raft orderers, TLS, majority endorsement) it runs a HospitalA AI
 * gateway process routed to an OpenAI-compatible upstream in a process of its own, then, in the
 * same run and at the same open-loop rate, calls the upstream directly (the baseline) and through
 * the gateway — non-streamed; non-streamed again with the gateway's peer cut off (its outbox keeps the
 * calls, the network is idle: the gateway's own cost); then streamed (time to first token) — and waits until the gateway's
 * outbox has shipped every call to the ledger, counted back through the audit index. Prints a
 * table and writes JSON under bench-results/. Not part of `npm test`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { FabricNetwork, HOSPITAL_A, issueApiKeys, NetworkLayout, type NetworkOptions } from '@aal/network';
import { extraPort } from '../support/extra-ports';
import { startGatewayUnderTest, type GatewayUnderTest } from '../support/gateway-under-test';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { runPaced, type PacedResult } from './paced-load';
import { summariseCpuProfiles } from './node-profile';
import { ProcessSampler } from './process-sampler';
import { summarise, type LatencySummary } from './statistics';

const { values: flags } = parseArgs({
  options: {
    /** Calls per second of the non-streamed phases (the streamed ones run at a fifth of it). */
    rate: { type: 'string', default: '500' },
    /** Length of each phase. */
    seconds: { type: 'string', default: '20' },
    /** 5-second phases. */
    quick: { type: 'boolean', default: false },
    /** Also record a Node CPU profile of the gateway's process over the whole run (self time by package and function). */
    profile: { type: 'boolean', default: false },
  },
});
const rate = Number(flags.rate);
const seconds = flags.quick ? 5 : Number(flags.seconds);
if (!(rate > 0 && rate <= 5_000) || !(seconds > 0 && seconds <= 600))
  throw new Error('--rate must be 1–5000 calls/s and --seconds 1–600');
const streamRate = Math.max(1, Math.round(rate / 5));
const repoRoot = resolve(__dirname, '..', '..');
const options: NetworkOptions = {
  dir: resolve(process.env.AAL_BENCH_GATEWAY_NETWORK_DIR ?? join(repoRoot, '.network-bench-gateway')),
  basePort: Number(process.env.AAL_BENCH_GATEWAY_BASE_PORT ?? 19400),
  orderers: 3,
  purgeIntervalBlocks: 100,
};
const CHANNEL = 'hospital-a';
const APPLICATION_ID = 'bench-gateway';
const MODEL = 'gpt-test';
/** Calls through the gateway before the measured phases (connections, JIT, its first ledger batch). */
const WARM_UP_CALLS = 100;
const HELD_BACK_PHASE = 'gateway, ledger held back';

function log(message: string): void {
  process.stderr.write(`[bench:gateway ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Starts the upstream process; resolves with its base URL (ends in /v1). */
async function startUpstream(): Promise<{ baseUrl: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(__dirname, 'fake-upstream-process.mjs')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolveUrl, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolveUrl(chunk.toString('utf8').trim()));
    child.once('exit', (code) => reject(new Error(`the upstream process exited (${code}) before listening`)));
  });
  return { baseUrl, child };
}

/** One chat completion; for a stream, resolves with the time its first content arrived. */
async function chat(baseUrl: string, key: string, stream: boolean, index: number): Promise<number | undefined> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: `bench call ${index}` }],
      ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  });
  if (response.status !== 200) {
    await response.arrayBuffer();
    throw new Error(`HTTP ${response.status}`);
  }
  if (!stream) {
    await response.arrayBuffer();
    return undefined;
  }
  let firstContentAt: number | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) {
    if (firstContentAt === undefined && decoder.decode(chunk as Uint8Array).includes('"content":"'))
      firstContentAt = performance.now();
  }
  return firstContentAt;
}

interface PhaseResult {
  readonly name: string;
  readonly ratePerSecond: number;
  readonly calls: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary;
  readonly firstTokenMs: LatencySummary | undefined;
  readonly generatorCpuPercent: number;
  /** CPU of the gateway process per call, ms; 0-ish on direct phases. */
  readonly gatewayCpuMsPerCall: number;
  /** Busy CPU of the whole machine over the phase, % of one core (200 % = both cores of this machine). */
  readonly machineCpuPercent: number;
}

/** Busy and total CPU time of the machine so far, in clock ticks (`/proc/stat`'s first line). */
function machineTicks(): { busy: number; total: number } {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, value) => sum + value, 0);
  // idle and iowait are not busy.
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

async function phase(
  name: string,
  ratePerSecond: number,
  sampler: ProcessSampler,
  call: (index: number) => Promise<number | undefined>,
): Promise<PhaseResult> {
  log(`${name}: ${ratePerSecond} calls/s for ${seconds} s`);
  sampler.start();
  const machineBefore = machineTicks();
  const result: PacedResult = await runPaced({ ratePerSecond, seconds, call });
  const machineAfter = machineTicks();
  const [gateway] = sampler.stop();
  const calls = result.latenciesMs.length;
  const gatewayCpuMs = ((gateway?.cpuPercent ?? 0) / 100) * result.elapsedMs;
  const summary: PhaseResult = {
    name,
    ratePerSecond,
    calls,
    failed: result.failed,
    errors: result.errors,
    latencyMs: summarise(result.latenciesMs),
    firstTokenMs: result.firstTokenMs.length === 0 ? undefined : summarise(result.firstTokenMs),
    generatorCpuPercent: Math.round((result.generatorCpuMs / result.elapsedMs) * 100),
    machineCpuPercent: Math.round(
      ((machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total)) *
        100 *
        cpus().length,
    ),
    gatewayCpuMsPerCall: calls === 0 ? Number.NaN : Math.round((gatewayCpuMs / calls) * 100) / 100,
  };
  log(
    `${name}: p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms` +
      (summary.firstTokenMs === undefined ? '' : `, first token p50 ${summary.firstTokenMs.p50} ms`) +
      `, ${summary.failed} failed`,
  );
  return summary;
}

/** Waits until the gateway's outbox is empty; resolves with when that was seen. */
async function drained(gateway: GatewayUnderTest, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  while (Date.now() < deadline) {
    const { outbox } = await gateway.readiness();
    if (outbox.depth === 0) return performance.now();
    if (Date.now() - lastReport > 5_000) {
      log(`outbox: ${outbox.depth} calls not yet on the ledger (oldest ${Math.round(outbox.oldestAgeMs / 1000)} s)`);
      lastReport = Date.now();
    }
    await sleep(100);
  }
  throw new Error(`the gateway's outbox did not drain within ${timeoutMs / 1000} s`);
}

/** Calls of the bench application on the ledger, as HospitalA's audit index counts them once it reached the ledger's height. */
async function recordedCalls(appUrl: string, auditorKey: string): Promise<number> {
  const response = await fetch(`${appUrl}/api/v1/channels/${CHANNEL}/audit/usage?groupBy=application`, {
    headers: { authorization: `Bearer ${auditorKey}` },
  });
  if (!response.ok) throw new Error(`usage query: HTTP ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { groups: { key: string | null; calls: number }[] };
  return body.groups.find((group) => group.key === APPLICATION_ID)?.calls ?? 0;
}

async function main(): Promise<void> {
  const outDir = join(repoRoot, 'bench-results', `gateway-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(outDir, { recursive: true });
  const network = new FabricNetwork(options);
  await network.down({ purge: true });
  const layout = new NetworkLayout(options);
  const profileDir = join(outDir, 'node-profiles');
  if (flags.profile) mkdirSync(profileDir, { recursive: true });
  let gatewayPid = 0;
  const upstream = await startUpstream();
  let gateway: GatewayUnderTest | undefined;
  let peerProxy: TcpProxy | undefined;
  const phases: PhaseResult[] = [];
  let ledger: { recorded: number; expected: number; drainSeconds: number; recordedPerSecond: number };
  try {
    const started = Date.now();
    await network.up();
    await network.deploy();
    const urls = await network.startApplications();
    const appUrl = urls[HOSPITAL_A.name] ?? '';
    log(`network ready in ${Math.round((Date.now() - started) / 1000)} s`);
    // The gateway reaches its peer through a proxy the bench can cut (the "ledger held back" phase).
    const profile = JSON.parse(readFileSync(layout.gatewayProfile(HOSPITAL_A), 'utf8')) as { peerEndpoint: string };
    const [peerHost = '127.0.0.1', peerPort = '0'] = profile.peerEndpoint.split(':');
    const proxyPort = extraPort(options.basePort, 'benchGatewayPeerProxy');
    peerProxy = await startTcpProxy(proxyPort, { host: peerHost, port: Number(peerPort) });
    const profilePath = join(options.dir, 'bench-gateway-profile.json');
    writeFileSync(profilePath, JSON.stringify({ ...profile, peerEndpoint: `127.0.0.1:${proxyPort}` }));
    gateway = await startGatewayUnderTest({
      profilePath,
      layout,
      dir: join(options.dir, 'bench-gateway'),
      appPort: extraPort(options.basePort, 'aiGatewayApp'),
      gatewayPort: extraPort(options.basePort, 'aiGateway'),
      upstreamBaseUrl: upstream.baseUrl,
      applications: [APPLICATION_ID],
      priceTableVersion: 'bench-1',
      config: { outbox: { maxEntries: 1_000_000, batchRecords: 500 } },
      logLevel: 'warn',
      // The profiler starts before the gateway's code loads and writes its profile when it exits.
      env: flags.profile
        ? { NODE_OPTIONS: `--import ${join(__dirname, 'cpu-profile-preload.mjs')}`, AAL_CPU_PROFILE_DIR: profileDir }
        : {},
    });
    gatewayPid = gateway.app.child.pid ?? 0;
    const gatewayKey = gateway.keys[APPLICATION_ID] ?? '';
    const gatewayBase = `${gateway.gatewayUrl}/v1`;
    const auditorKey = issueApiKeys(layout, HOSPITAL_A, 'bench-gateway').auditor;
    const sampler = new ProcessSampler([{ name: 'gateway', pid: gateway.app.child.pid ?? 0 }]);
    // Warm-up: connections, JIT, the gateway's first ledger batch.
    await runPaced({ ratePerSecond: 50, seconds: 2, call: (i) => chat(upstream.baseUrl, 'sk-test', false, i) });
    await runPaced({
      ratePerSecond: WARM_UP_CALLS / 2,
      seconds: 2,
      call: (i) => chat(gatewayBase, gatewayKey, false, i),
    });
    await drained(gateway, 120_000);
    // The warm-up's calls, once the audit index has taken their blocks: the baseline of the count below.
    let before = 0;
    for (let attempt = 0; attempt < 120 && before < WARM_UP_CALLS; attempt++) {
      before = await recordedCalls(appUrl, auditorKey);
      if (before < WARM_UP_CALLS) await sleep(500);
    }

    phases.push(await phase('direct', rate, sampler, (i) => chat(upstream.baseUrl, 'sk-test', false, i)));
    const gatewayStart = performance.now();
    phases.push(await phase('gateway', rate, sampler, (i) => chat(gatewayBase, gatewayKey, false, i)));
    // The shipping rate: the gateway phase's calls over the time until they were all on the ledger.
    const gatewayDrainedAt = await drained(gateway, 600_000);
    // The same calls while the gateway's peer is cut off: the outbox keeps them and the network is idle,
    // so what is left is the gateway's own cost (HTTP both ways, commitments, the durable outbox).
    await peerProxy.cut();
    phases.push(await phase(HELD_BACK_PHASE, rate, sampler, (i) => chat(gatewayBase, gatewayKey, false, i)));
    await peerProxy.restore();
    // The held-back calls reach the ledger before the streamed phases, which they would slow.
    await drained(gateway, 600_000);
    phases.push(
      await phase('direct, streamed', streamRate, sampler, (i) => chat(upstream.baseUrl, 'sk-test', true, i)),
    );
    phases.push(await phase('gateway, streamed', streamRate, sampler, (i) => chat(gatewayBase, gatewayKey, true, i)));
    await drained(gateway, 600_000);
    const expected = (phases[1]?.calls ?? 0) + (phases[2]?.calls ?? 0) + (phases[4]?.calls ?? 0);
    // The audit index follows the blocks: wait until it counts every shipped call (or stops moving).
    let recorded = 0;
    for (let attempt = 0; attempt < 120; attempt++) {
      recorded = (await recordedCalls(appUrl, auditorKey)) - before;
      if (recorded >= expected) break;
      await sleep(500);
    }
    const drainSeconds = (gatewayDrainedAt - gatewayStart) / 1000;
    ledger = {
      recorded,
      expected,
      drainSeconds: Math.round(drainSeconds * 10) / 10,
      recordedPerSecond: Math.round((phases[1]?.calls ?? 0) / drainSeconds),
    };
    log(
      `ledger: ${recorded} of ${expected} gateway calls recorded; the gateway phase's calls were all on the ledger ${ledger.drainSeconds} s after it began`,
    );
  } finally {
    await gateway?.app.stop();
    await peerProxy?.cut();
    upstream.child.kill('SIGTERM');
    await network.down();
  }

  const [direct, viaGateway, heldBack, directStream, gatewayStream] = phases;
  const added = (a: LatencySummary | undefined, b: LatencySummary | undefined, key: keyof LatencySummary) =>
    a === undefined || b === undefined ? Number.NaN : Math.round((b[key] - a[key]) * 10) / 10;
  const overhead = {
    addedP50Ms: added(direct?.latencyMs, viaGateway?.latencyMs, 'p50'),
    addedP99Ms: added(direct?.latencyMs, viaGateway?.latencyMs, 'p99'),
    addedP50MsLedgerHeldBack: added(direct?.latencyMs, heldBack?.latencyMs, 'p50'),
    addedP99MsLedgerHeldBack: added(direct?.latencyMs, heldBack?.latencyMs, 'p99'),
    addedFirstTokenP50Ms: added(directStream?.firstTokenMs, gatewayStream?.firstTokenMs, 'p50'),
    addedFirstTokenP99Ms: added(directStream?.firstTokenMs, gatewayStream?.firstTokenMs, 'p99'),
    gatewayCpuMsPerCall: viaGateway?.gatewayCpuMsPerCall,
  };
  console.table(
    phases.map((result) => ({
      phase: result.name,
      'calls/s': result.ratePerSecond,
      calls: result.calls,
      failed: result.failed,
      'p50 ms': result.latencyMs.p50,
      'p95 ms': result.latencyMs.p95,
      'p99 ms': result.latencyMs.p99,
      'first token p50 ms': result.firstTokenMs?.p50 ?? '',
      'first token p99 ms': result.firstTokenMs?.p99 ?? '',
      'gateway CPU ms/call': result.gatewayCpuMsPerCall,
      'generator CPU %': result.generatorCpuPercent,
      'machine CPU %': result.machineCpuPercent,
    })),
  );
  console.table([{ ...overhead, ...ledger }]);
  const report = {
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    settings: { rate, streamRate, seconds, orderers: options.orderers, channel: CHANNEL, model: MODEL },
    phases,
    overhead,
    ledger,
  };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(report, null, 2));
  if (flags.profile) {
    const summary = summariseCpuProfiles(profileDir, new Map([[gatewayPid, 'gateway (HospitalA AI gateway process)']]));
    writeFileSync(
      join(outDir, 'gateway-profile.txt'),
      `# Node CPU profile of the gateway's process, whole run (self time)\n\n${summary}\n`,
    );
    log(
      `gateway CPU profile summarised in ${outDir}/gateway-profile.txt:\n${summary.split('\n').slice(0, 40).join('\n')}`,
    );
  }
  log(`results written to ${outDir}`);
  if (ledger.recorded < ledger.expected) {
    console.error(`only ${ledger.recorded} of ${ledger.expected} gateway calls reached the ledger`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
