/**
 * Public entry of the network tool for other workspaces (integration tests, benchmarks): start and
 * stop a network, find its ports, paths and identities, deploy chaincode, issue API keys. The
 * command line (`npm run network`) is `cli.ts`.
 *
 * @packageDocumentation
 */
export { FabricNetwork, REPO_ROOT, optionsFromEnv, type ProcessStatus } from './network';
export {
  HOST,
  NetworkLayout,
  address,
  type Endpoint,
  type IdentityPaths,
  type NetworkOptions,
  type TlsFiles,
} from './layout';
export {
  AI_PROVIDER,
  APP_ROLES,
  CHAINCODE_NAME,
  CHANNELS,
  HOSPITAL_A,
  HOSPITAL_B,
  ORDERER_ORG,
  PEER_ORGS,
  REGULATOR,
  channelsOf,
  orgBySlug,
  type AppRole,
  type ChannelSpec,
  type OrgSpec,
} from './topology';
export { JOINING_ORG_INDEX, joiningOrg, type JoiningOrgName } from './joining-org';
export { DEFAULT_ORDERING, ORDERING_TYPES, parseOrdering, type OrderingType } from './ordering';
export { AUDIT_CHAINCODE, BENCH_BASELINE_CHAINCODE, CHAINCODE_DIR, type ChaincodeSpec } from './chaincodes';
export { ChaincodeDeployer, chaincodeVersion, type CommittedDefinition } from './chaincode-lifecycle';
export { AI_GATEWAY_ENTRY, APPLICATION_ENTRY, apiKeyStorePath, auditorReadLogPath, issueApiKeys } from './applications';
export { addChannelToGatewayProfile, type ProfileChannelOutcome } from './gateway-profile-channels';
export { cacheRoot, ensureBinaries, type FabricBinaries } from './binaries';
export { run, type RunOptions, type RunResult } from './command';
export { ProcessSupervisor, type ProcessRecord } from './processes';
export { peerCliEnv } from './nodes';
export { auditorOrgsValue } from './chaincode-server-env';
export { NetworkError, type NetworkErrorCode } from './errors';
export { findPostgresBinaries, type PostgresBinaries } from './postgres-binaries';
export { PostgresServer, postgresUser, type PostgresServerOptions, type RunAs } from './postgres-server';
export { AUDIT_INDEX_ROLE, auditIndexDatabaseName } from './audit-index-database';
export {
  OrgCertificateAuthority,
  REGISTRAR,
  type IdentityType,
  type RegistrationRequest,
} from './certificate-authority';
export {
  ChannelConfigUpdates,
  type CurrentConfig,
  type InspectedProposal,
  type SubmittedUpdate,
} from './channel-config-update';
export { Configtxlator, type ConfigMessageType } from './configtxlator';
export {
  applicationOrgs,
  isChannelAdmin,
  memberMspIds,
  mspDefinition,
  ordererOrgMsps,
  withRevocationList,
  type ChannelConfigJson,
  type MspDefinitionJson,
} from './channel-config-json';
export {
  CHANNEL_ADMINS_POLICY,
  countAdminSignatures,
  majorityOf,
  shortfallMessage,
  type PolicyCount,
  type UpdateSigner,
} from './config-update-policy';
export {
  PROPOSAL_FORMAT,
  parseSidecar,
  readSidecar,
  sidecarPath,
  writeSidecar,
  type AddMemberChange,
  type ConfigChange,
  type RemoveMemberChange,
  type RevocationListChange,
  type ProposalSidecar,
} from './config-update-proposal';
export { crlSha256, revokedSerials } from './certificate-revocation-list';
export {
  revokeCertificate,
  type ChannelRevocation,
  type RevocationOutcome,
  type RevocationRequest,
} from './certificate-revocation';
export { REVOCATION_REASONS, parseRevocationReason, type RevocationReason } from './revocation-reasons';
export { ORG_COMMANDS, memberOrg, parseOrgCommandLine, type OrgCommand, type OrgCommandLine } from './org-cli-options';
export { configWithClaimedChange, type ConfigUpdateJson } from './config-change';
export { ORG_DEFINITION_FORMAT, exportOrgDefinition, verifyOrgDefinition, type OrgDefinition } from './org-definition';
export { memberOrgGroup, type OrgGroupJson } from './member-org-group';
