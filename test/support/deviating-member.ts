import type { Contract } from '@hyperledger/fabric-gateway';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TRANSACTIONS, type ContractErrorPayload } from '@aal/ledger-contract';
import { type AppRole, CHAINCODE_NAME, NetworkLayout, type OrgSpec } from '@aal/network';
import { chaincodeMessage, contractErrorOf, submitTransaction, type Submitted } from './chaincode-calls';
import { gatewayForIdentity, testGateway, type TestGateway } from './gateway';
import { testNetworkOptions } from './test-network';

/**
 * What the adversarial tests share: one member acting alone with its own Fabric identities, straight
 * at the peers (no REST app in between), and the honest members it tries to cheat.
 */

export type Json = Record<string, unknown>;

/** The hospital's channel, where HospitalA, the AIProvider and the Regulator are members. */
export const HOSPITAL_A_CHANNEL = 'hospital-a';

/** A suffix unique to this test run, so re-runs on the same network never collide on ids. */
export function runSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** Where a client connects: the channel, and whose peer it dials (its own org's by default). */
export interface Dial {
  readonly channel?: string;
  readonly peerOrg?: OrgSpec;
}

/** The gateways a test file opens, under any org's identities; `close()` closes them all. */
export class MemberClients {
  private readonly opened: TestGateway[] = [];
  readonly layout = new NetworkLayout(testNetworkOptions());

  /** The chaincode as `org`'s application user of `role` calls it. */
  contract(org: OrgSpec, role: AppRole, dial: Dial = {}): Contract {
    return this.remember(testGateway(org, role, dial.peerOrg ?? org))
      .gateway.getNetwork(dial.channel ?? HOSPITAL_A_CHANNEL)
      .getContract(CHAINCODE_NAME);
  }

  /** A gateway of `org`'s application user of `role` (for hand-built proposals and events). */
  gateway(org: OrgSpec, role: AppRole, peerOrg: OrgSpec = org): TestGateway {
    return this.remember(testGateway(org, role, peerOrg));
  }

  /**
   * The chaincode as an identity of `org` whose certificate carries no `role` attribute: the
   * client identity the org's CA issued for its chaincode server ({@link rolelessCertificate}).
   * A channel Writer (a `client` of the org) like the app users, so only the chaincode can refuse it.
   */
  rolelessContract(org: OrgSpec, dial: Dial = {}): Contract {
    const client = gatewayForIdentity(this.layout, org, this.layout.chaincodeServerIdentity(org), dial.peerOrg ?? org);
    return this.remember(client)
      .gateway.getNetwork(dial.channel ?? HOSPITAL_A_CHANNEL)
      .getContract(CHAINCODE_NAME);
  }

  /** The certificate {@link rolelessContract} signs with. */
  rolelessCertificate(org: OrgSpec): X509Certificate {
    return new X509Certificate(
      readFileSync(join(this.layout.chaincodeServerIdentity(org).msp, 'signcerts', 'cert.pem')),
    );
  }

  close(): void {
    for (const client of this.opened.splice(0)) client.close();
  }

  private remember(client: TestGateway): TestGateway {
    this.opened.push(client);
    return client;
  }
}

/**
 * The chaincode's coded refusal of `call` (its JSON payload, decoded from the endorsers' details or
 * the gateway's message). Fails the test when the call succeeds, or when it is refused without a
 * coded payload (a refusal by Fabric itself, or a crash).
 */
export async function codedRefusal(call: Promise<unknown>): Promise<ContractErrorPayload> {
  try {
    await call;
  } catch (error) {
    const payload = contractErrorOf(error);
    if (payload === undefined)
      throw new Error(`refused without the chaincode's coded error: ${chaincodeMessage(error)}`);
    return payload;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** Submits (endorse, order, commit) and parses the chaincode's JSON answer. */
export async function submitJson<T = Json>(contract: Contract, name: string, ...args: string[]): Promise<T> {
  return JSON.parse((await submitTransaction(contract, name, { arguments: args })).result) as T;
}

/** Evaluates and parses the chaincode's JSON answer. */
export async function evaluateJsonArgs<T = Json>(contract: Contract, name: string, ...args: string[]): Promise<T> {
  return JSON.parse(Buffer.from(await contract.evaluateTransaction(name, ...args)).toString('utf8')) as T;
}

/** The code the chaincode refuses a read with (`NOT_FOUND` when the record does not exist). */
export async function readRefusalCode(contract: Contract, name: string, ...args: string[]): Promise<string> {
  return (await codedRefusal(contract.evaluateTransaction(name, ...args))).code;
}

const commitmentOf = (text: string): string => `hmac-sha256:${createHash('sha256').update(text).digest('hex')}`;

/** A valid interaction with only required fields; `overrides` adds or replaces fields. */
export function interactionRecord(id: string, overrides: Json = {}): Json {
  return {
    id,
    startTime: '2026-01-01T10:00:00Z',
    endTime: '2026-01-01T10:00:01Z',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o',
    usage: { inputTokens: 10, outputTokens: 5, source: 'provider' },
    cost: { status: 'unpriced' },
    latencyMs: 1000,
    status: 'ok',
    applicationId: 'adversarial-tests',
    promptCommitment: commitmentOf(`prompt of ${id}`),
    ...overrides,
  };
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * A valid permit consent about `subjectRef` for the AIProvider and ai-inference, in force from a
 * year ago with no end; `overrides` adds or replaces fields.
 */
export function consentRecord(id: string, subjectRef: string, overrides: Json = {}): Json {
  return {
    id,
    subjectRef,
    grantees: ['AIProviderMSP'],
    decision: 'permit',
    purposes: ['ai-inference'],
    period: { start: new Date(Date.now() - YEAR_MS).toISOString() },
    policyCommitment: commitmentOf(`policy of ${id}`),
    ...overrides,
  };
}

/** A valid artifact registration (the digest is of a made-up text); `extra` adds fields such as `consentIds`. */
export function artifactRecord(id: string, kind: 'dataset' | 'model' | 'other', extra: Json = {}): Json {
  return {
    id,
    kind,
    name: `name-${id}`,
    version: '1',
    sha256: createHash('sha256').update(`bytes of ${id}`).digest('hex'),
    ...extra,
  };
}

/**
 * Erases a subject the honest way: the owner's admin purges key and mapping from its implicit
 * collection (endorsed by its own peers), then records the public erasure receipt — retried for a
 * few seconds, because every endorser checks the purge against its own copy of the private-data
 * hashes, which other orgs' peers commit a moment later.
 */
export async function eraseWithReceipt(
  clients: MemberClients,
  owner: OrgSpec,
  subjectRef: string,
  channel = HOSPITAL_A_CHANNEL,
): Promise<Submitted> {
  const admin = clients.contract(owner, 'admin', { channel });
  await submitTransaction(admin, TRANSACTIONS.eraseSubject, {
    arguments: [subjectRef],
    endorsingOrganizations: [owner.mspId],
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await submitTransaction(admin, TRANSACTIONS.recordErasureReceipt, { arguments: [subjectRef] });
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
}
