/**
 * `npm run network -- <command>`: up | deploy | start | down [--purge] | stop | status | logs [name] [--lines N],
 * each with an optional `--ordering raft|bft` (overrides AAL_ORDERING).
 * `npm start` runs `start`; `npm stop` runs `stop`. Settings come from AAL_* environment variables
 * (see docs/operations.md).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, type CommandLine } from './cli-options';
import { NetworkError } from './errors';
import { address } from './layout';
import { FabricNetwork, optionsFromEnv } from './network';
import { tail } from './processes';
import { log } from './progress';
import { issueAiGatewayKey, issueApiKeys } from './applications';
import { APP_ROLES, PEER_ORGS } from './topology';

const USAGE = `usage: npm run network -- <command>
  up                 build Fabric if needed, start CAs, orderers and peers, create and join channels
  deploy             chaincode lifecycle: install, approve, commit (a new sequence when the code changed)
  start              up + deploy + one REST application per org; stays in the foreground, Ctrl-C stops all
  down [--purge]     stop every process this network started; --purge also deletes its state
  stop               same as down
  status             list the network's processes and whether they run
  logs [name] [--lines N]   show the last lines of one process's log, or of all
options:
  --ordering raft|bft  raft (default): the orderer org's 3 Raft nodes; bft: one SmartBFT orderer per member org
                       (tolerates one faulty or deviating orderer). Also AAL_ORDERING; unset: the existing network's`;

async function main(argv: string[]): Promise<void> {
  let line: CommandLine;
  try {
    line = parseCommandLine(argv);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { command } = line;
  if (line.help || command === undefined || command === 'help') {
    console.log(USAGE);
    return;
  }
  const env = line.ordering === undefined ? process.env : { ...process.env, AAL_ORDERING: line.ordering };
  const network = new FabricNetwork(optionsFromEnv(env));
  switch (command) {
    case 'up':
      await network.up();
      return;
    case 'deploy':
      await network.deploy();
      return;
    case 'start':
      await start(network);
      return;
    case 'down':
    case 'stop':
      await network.down({ purge: line.purge });
      log('stopped');
      return;
    case 'status':
      status(network);
      return;
    case 'logs':
      logs(network, line.name, line.lines);
      return;
    default:
      console.error(`unknown command '${command}'\n${USAGE}`);
      process.exitCode = 2;
  }
}

/** A minimal valid interaction for the printed example: the app commits to the prompt and drops it. */
const DEMO_INTERACTION = JSON.stringify({
  id: 'demo-1',
  startTime: '2026-01-31T12:00:00Z',
  endTime: '2026-01-31T12:00:01Z',
  provider: 'openai',
  operation: 'chat',
  requestModel: 'gpt-4o',
  applicationId: 'demo',
  usage: { inputTokens: 12, outputTokens: 5, source: 'provider' },
  cost: { status: 'unpriced' },
  latencyMs: 1000,
  status: 'ok',
  prompt: 'hello',
});

async function start(network: FabricNetwork): Promise<void> {
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    log('stopping everything this run started…');
    network
      .down()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await network.up();
  await network.deploy();
  const urls = await network.startApplications();
  const layout = network.layout;
  console.log('\nAI Audit Ledger is running.\n');
  for (const [org, url] of Object.entries(urls)) console.log(`  ${org.padEnd(11)} ${url}   (health: ${url}/healthz)`);
  console.log(`\nDemo API keys (fresh each start, shown once; each role maps to the org's Fabric user app-<role>):`);
  const demoKeys = Object.fromEntries(PEER_ORGS.map((org) => [org.name, issueApiKeys(layout, org, 'demo')]));
  for (const [org, keys] of Object.entries(demoKeys))
    for (const role of APP_ROLES) console.log(`  ${org.padEnd(11)} ${role.padEnd(15)} ${keys[role]}`);
  console.log(`  more: npm run apikey -- create --org hospital-a --role recorder --name my-app`);
  console.log(
    `  try: curl -s -X POST ${urls.HospitalA}/api/v1/channels/hospital-a/interactions -H 'authorization: Bearer ${demoKeys.HospitalA?.recorder}' -H 'content-type: application/json' -d '${DEMO_INTERACTION}'`,
  );
  console.log(
    `       curl -s ${urls.Regulator}/api/v1/channels/hospital-a/interactions/demo-1 -H 'authorization: Bearer ${demoKeys.Regulator?.auditor}'`,
  );
  console.log(`  API docs: ${urls.HospitalA}/docs`);
  console.log(`\nAI gateways (OpenAI-compatible; set the client's base URL and key; docs/gateway.md):`);
  for (const org of PEER_ORGS)
    console.log(
      `  ${org.name.padEnd(11)} http://${address(layout.aiGateway(org))}/v1   key for application demo-app: ${issueAiGatewayKey(layout, org, 'demo-app')}`,
    );
  console.log(`  provider key: each org's gateway reads <network dir>/orgs/<org>/openai-api-key (chmod 600)`);
  console.log(`\nLogs: ${layout.logsDir}   Stop: Ctrl-C or 'npm stop'\n`);
  // Stay in the foreground until a signal arrives, or until `npm stop` from another shell stops
  // the processes (then there is nothing left to wait for).
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!stopping && network.status().every((process) => !process.running)) {
        clearInterval(timer);
        resolve();
      }
    }, 2000);
  });
  log('all processes have stopped');
}

function status(network: FabricNetwork): void {
  const processes = network.status();
  if (processes.length === 0) {
    console.log(`no processes recorded in ${network.layout.pidsDir}`);
    return;
  }
  for (const process of processes) {
    console.log(
      `${process.running ? 'running' : 'STOPPED'}  ${process.name.padEnd(26)} pid ${String(process.pid).padEnd(8)} ${process.log}`,
    );
  }
}

function logs(network: FabricNetwork, name: string | undefined, lines: number): void {
  const dir = network.layout.logsDir;
  if (!existsSync(dir)) throw new NetworkError('NOT_INITIALISED', `no logs yet in ${dir}: run 'npm run network -- up'`);
  const files = readdirSync(dir).filter((file) => file.endsWith('.log') && (!name || file === `${name}.log`));
  if (files.length === 0)
    throw new NetworkError('NOT_INITIALISED', `no log named '${name}'; logs: ${readdirSync(dir).join(', ')}`);
  for (const file of files.sort()) {
    console.log(`==> ${file} <==`);
    console.log(
      name ? readFileSync(join(dir, file), 'utf8').split('\n').slice(-lines).join('\n') : tail(join(dir, file), lines),
    );
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof NetworkError) console.error(`\n✖ ${error.code}: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
