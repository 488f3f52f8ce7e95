import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { FabricBinaries } from './binaries';
import type { NetworkLayout } from './layout';
import { address } from './layout';
import { waitForListening, type ProcessSupervisor } from './processes';
import type { OrgSpec } from './topology';

/** The external builder that lets peers run chaincode as a service (no Docker). */
export const CCAAS_BUILDER_DIR = resolve(__dirname, '..', 'builders', 'ccaas');

/**
 * Fabric's default core.yaml from the downloaded module, with the two settings that cannot be
 * expressed as environment variables: our external builder and no Docker endpoint.
 */
export function writePeerConfig(layout: NetworkLayout, binaries: FabricBinaries): string {
  const dir = join(layout.configDir, 'peer');
  mkdirSync(dir, { recursive: true });
  const core = parse(readFileSync(join(binaries.sampleConfigDir, 'core.yaml'), 'utf8')) as {
    chaincode: { externalBuilders: unknown[] };
    vm: { endpoint: string };
  };
  core.chaincode.externalBuilders = [{ name: 'ccaas', path: CCAAS_BUILDER_DIR }];
  core.vm.endpoint = '';
  writeFileSync(join(dir, 'core.yaml'), stringify(core));
  return dir;
}

export async function startOrderer(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  supervisor: ProcessSupervisor,
  i: number,
): Promise<void> {
  const name = layout.ordererProcess(i);
  const identity = layout.ordererIdentity(i);
  const org = layout.ordererOrg(i);
  const admin = layout.adminIdentity(org);
  // The TLS roots of every orderer's org: with BFT the consenters' certificates come from four CAs.
  const roots = [...new Set(layout.ordererIndexes().map((j) => layout.tlsRootCert(layout.ordererOrg(j))))];
  // A member that joined later holds the roots of the founders it imported (at least one); its node
  // learns the others' from the channel configs. Everywhere else each root must be there.
  const clusterRoots = layout.joiningMember === undefined ? roots : roots.filter((file) => existsSync(file));
  const data = layout.nodeDataDir(name);
  mkdirSync(data, { recursive: true });
  const consensusDir = join(data, layout.ordering === 'bft' ? 'smartbft' : 'etcdraft');
  const listen = layout.ordererEndpoint(i);
  supervisor.start({
    name,
    command: binaries.orderer,
    args: [],
    env: {
      ...process.env,
      FABRIC_CFG_PATH: binaries.sampleConfigDir,
      FABRIC_LOGGING_SPEC: 'INFO',
      ORDERER_GENERAL_LISTENADDRESS: listen.host,
      ORDERER_GENERAL_LISTENPORT: String(listen.port),
      ORDERER_GENERAL_LOCALMSPID: org.mspId,
      ORDERER_GENERAL_LOCALMSPDIR: identity.msp,
      ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
      ORDERER_GENERAL_TLS_ENABLED: 'true',
      ORDERER_GENERAL_TLS_CERTIFICATE: identity.tls.cert,
      ORDERER_GENERAL_TLS_PRIVATEKEY: identity.tls.key,
      ORDERER_GENERAL_TLS_ROOTCAS: `[${clusterRoots.join(',')}]`,
      ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: identity.tls.cert,
      ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: identity.tls.key,
      ORDERER_GENERAL_CLUSTER_ROOTCAS: `[${clusterRoots.join(',')}]`,
      // As the peers' CORE_PEER_KEEPALIVE_MININTERVAL: the peer CLI keeps its broadcast connection open
      // through a lifecycle event wait, pinging every 10 s; the shipped 60 s minimum ends it after ~30 s.
      ORDERER_GENERAL_KEEPALIVE_SERVERMININTERVAL: '5s',
      ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
      ORDERER_ADMIN_LISTENADDRESS: address(layout.ordererAdmin(i)),
      ORDERER_ADMIN_TLS_ENABLED: 'true',
      ORDERER_ADMIN_TLS_CERTIFICATE: identity.tls.cert,
      ORDERER_ADMIN_TLS_PRIVATEKEY: identity.tls.key,
      ORDERER_ADMIN_TLS_ROOTCAS: `[${identity.tls.ca}]`,
      // Only holders of a certificate from the node's own org's CA may join or remove channels.
      ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
      ORDERER_ADMIN_TLS_CLIENTROOTCAS: `[${admin.tls.ca}]`,
      ORDERER_OPERATIONS_LISTENADDRESS: address(layout.ordererOperations(i)),
      ORDERER_METRICS_PROVIDER: 'prometheus',
      ORDERER_FILELEDGER_LOCATION: join(data, 'ledger'),
      ORDERER_CONSENSUS_WALDIR: join(consensusDir, 'wal'),
      ORDERER_CONSENSUS_SNAPDIR: join(consensusDir, 'snapshot'),
    },
    logFile: layout.logFile(name),
  });
  await waitForListening(supervisor, name, listen);
  await waitForListening(supervisor, name, layout.ordererAdmin(i));
}

export async function startPeer(
  layout: NetworkLayout,
  binaries: FabricBinaries,
  supervisor: ProcessSupervisor,
  peerConfigDir: string,
  org: OrgSpec,
): Promise<void> {
  const name = layout.peerProcess(org);
  const identity = layout.peerIdentity(org);
  const data = layout.nodeDataDir(name);
  mkdirSync(data, { recursive: true });
  const peer = address(layout.peerEndpoint(org));
  const chaincode = address(layout.peerChaincodeEndpoint(org));
  supervisor.start({
    name,
    command: binaries.peer,
    args: ['node', 'start'],
    env: {
      ...process.env,
      FABRIC_CFG_PATH: peerConfigDir,
      FABRIC_LOGGING_SPEC: 'INFO',
      CORE_PEER_ID: `peer0.${org.slug}`,
      CORE_PEER_ADDRESS: peer,
      CORE_PEER_LISTENADDRESS: peer,
      CORE_PEER_CHAINCODEADDRESS: chaincode,
      CORE_PEER_CHAINCODELISTENADDRESS: chaincode,
      // One peer per org: it bootstraps gossip from itself and is its org's anchor peer.
      CORE_PEER_GOSSIP_BOOTSTRAP: peer,
      CORE_PEER_GOSSIP_EXTERNALENDPOINT: peer,
      CORE_PEER_LOCALMSPID: org.mspId,
      CORE_PEER_MSPCONFIGPATH: identity.msp,
      CORE_PEER_TLS_ENABLED: 'true',
      CORE_PEER_TLS_CERT_FILE: identity.tls.cert,
      CORE_PEER_TLS_KEY_FILE: identity.tls.key,
      CORE_PEER_TLS_ROOTCERT_FILE: identity.tls.ca,
      CORE_PEER_FILESYSTEMPATH: join(data, 'production'),
      CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(data, 'snapshots'),
      CORE_LEDGER_PVTDATASTORE_PURGEINTERVAL: String(layout.options.purgeIntervalBlocks),
      CORE_OPERATIONS_LISTENADDRESS: address(layout.peerOperations(org)),
      CORE_METRICS_PROVIDER: 'prometheus',
      CORE_VM_ENDPOINT: '',
      CORE_PEER_GATEWAY_ENABLED: 'true',
      // The peer CLI's event waits (lifecycle approve/commit --waitForEvent) ping every 10 s, grpc's floor; with the
      // shipped 60 s minimum the peer ends such a stream with "too_many_pings" after ~30 s, failing any slow commit.
      // Below 10 s, since pings exactly at the minimum still count as strikes when they arrive a little early.
      CORE_PEER_KEEPALIVE_MININTERVAL: '5s',
      // After losing the ordering service (e.g. two of three orderers down) the peer's block delivery retries with an
      // exponential backoff capped at 3600 s: it slept 11 s and more between tries and took blocks ~25 s after the
      // orderers had a leader again (test/faults). Capped at 2 s, it follows within 2 s of their return.
      CORE_PEER_DELIVERYCLIENT_RECONNECTBACKOFFTHRESHOLD: '2s',
      CORE_PEER_PROFILE_ENABLED: layout.options.profiling === true ? 'true' : 'false',
      CORE_PEER_PROFILE_LISTENADDRESS: address(layout.peerProfile(org)),
    },
    logFile: layout.logFile(name),
  });
  await waitForListening(supervisor, name, layout.peerEndpoint(org));
}

/** Environment for the `peer` CLI acting as an org's admin against the org's own peer. */
export function peerCliEnv(layout: NetworkLayout, peerConfigDir: string, org: OrgSpec): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FABRIC_CFG_PATH: peerConfigDir,
    FABRIC_LOGGING_SPEC: 'WARN',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: layout.adminIdentity(org).msp,
    CORE_PEER_ADDRESS: address(layout.peerEndpoint(org)),
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: layout.caCert(org),
  };
}

/**
 * The `peer` CLI's orderer arguments for `org`'s admin: a founding member's own orderer node with BFT
 * ordering (each member runs one), the first Raft node otherwise; TLS trusted by that node's org CA.
 */
export function ordererCliArgs(layout: NetworkLayout, org: OrgSpec, options: { notOwn?: boolean } = {}): string[] {
  const founding = layout.foundingOrdererIndexes();
  const own = layout.memberOrdererIndex(org);
  // An org without a founder's node (Raft, or one that joined later: its node orders a channel only
  // once it has joined it), or told `notOwn`, uses the first other founding node whose TLS root it holds.
  const i =
    (own !== undefined && founding.includes(own) && options.notOwn !== true ? own : undefined) ??
    founding.find(
      (candidate) =>
        (options.notOwn !== true || candidate !== own) && existsSync(layout.tlsRootCert(layout.ordererOrg(candidate))),
    ) ??
    0;
  return ['-o', address(layout.ordererEndpoint(i)), '--tls', '--cafile', layout.tlsRootCert(layout.ordererOrg(i))];
}
