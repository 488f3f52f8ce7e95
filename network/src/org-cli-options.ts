import { parseArgs } from 'node:util';
import { CHANNEL_NAME_PATTERN } from '@aal/ledger-contract';
import { isFoundingOrg, joiningOrg, type JoiningOrgName } from './joining-org';
import { ORG_MSP_ID_PATTERN } from './org-definition';
import { parseRevocationReason, type RevocationReason } from './revocation-reasons';
import { ORDERER_ORG, PEER_ORGS, type OrgSpec } from './topology';

/** The org commands (`npm run org -- <command>`). */
export const ORG_COMMANDS = [
  'init',
  'revoke',
  'propose-add',
  'propose-remove',
  'sign',
  'submit',
  'inspect',
  'join',
  'units',
  'export',
  'verify-definition',
  'found',
  'up',
  'deploy',
  'app',
] as const;
export type OrgCommand = (typeof ORG_COMMANDS)[number];

/** A parsed `npm run org` command line. */
export type OrgCommandLine =
  | { readonly command: 'help' }
  | {
      readonly command: 'revoke';
      readonly org: OrgSpec;
      readonly user: string;
      readonly reason: RevocationReason;
      readonly signAs: readonly OrgSpec[];
      readonly out: string | undefined;
    }
  | {
      readonly command: 'propose-add';
      readonly org: OrgSpec;
      readonly channel: string;
      readonly definition: string;
      readonly out: string | undefined;
    }
  | {
      readonly command: 'propose-remove';
      readonly org: OrgSpec;
      readonly channel: string;
      readonly member: string;
      readonly out: string | undefined;
    }
  | { readonly command: 'join'; readonly org: OrgSpec; readonly channel: string }
  | {
      readonly command: 'init';
      readonly org: OrgSpec;
      /** Set when the org is not a founding one: it joins the channels later (`--name`, `--msp-id`). */
      readonly joining: JoiningOrgName | undefined;
    }
  | { readonly command: 'found' | 'up'; readonly org: OrgSpec; readonly handOver: string }
  | { readonly command: 'deploy' | 'app'; readonly org: OrgSpec }
  | { readonly command: 'sign' | 'submit' | 'inspect'; readonly org: OrgSpec; readonly proposal: string }
  | { readonly command: 'units' | 'export'; readonly org: OrgSpec; readonly out: string | undefined }
  | { readonly command: 'verify-definition'; readonly file: string };

/** The member org with `slug` (orgs that run a peer); throws naming the known ones. */
export function memberOrg(slug: string, flag = '--org'): OrgSpec {
  return orgOf(PEER_ORGS, slug, flag);
}

/** The org with `slug` among `orgs`; throws naming the known ones. */
function orgOf(orgs: readonly OrgSpec[], slug: string, flag: string): OrgSpec {
  const org = orgs.find((candidate) => candidate.slug === slug);
  if (org === undefined)
    throw new Error(`${flag}: unknown organisation '${slug}'; one of ${orgs.map((o) => o.slug).join(', ')}`);
  return org;
}

/** Enrollment ids as Fabric CA takes them on a command line: no spaces, no flag look-alikes. */
const ENROLLMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Parses the arguments; throws with the reason on unknown commands or flags, missing or bad values.
 * `--org` names one of `members` (default: the founding orgs; the org CLI adds the directory's own
 * org when it joined later), or with `init` a new org given `--name` and `--msp-id` too.
 */
export function parseOrgCommandLine(argv: readonly string[], members: readonly OrgSpec[] = PEER_ORGS): OrgCommandLine {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      org: { type: 'string' },
      user: { type: 'string' },
      reason: { type: 'string' },
      'sign-as': { type: 'string' },
      out: { type: 'string' },
      proposal: { type: 'string' },
      file: { type: 'string' },
      channel: { type: 'string' },
      definition: { type: 'string' },
      member: { type: 'string' },
      'hand-over': { type: 'string' },
      name: { type: 'string' },
      'msp-id': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  if (!(ORG_COMMANDS as readonly string[]).includes(command)) throw new Error(`unknown command '${command}'`);
  if (extra.length > 0) throw new Error(`unexpected argument '${extra[0]}'`);
  const required = (
    name: 'org' | 'user' | 'proposal' | 'file' | 'channel' | 'definition' | 'member' | 'hand-over',
  ): string => {
    const value = values[name];
    if (value === undefined || value === '') throw new Error(`${command} needs --${name}`);
    return value;
  };
  const allowed: Record<OrgCommand, readonly string[]> = {
    init: ['org', 'name', 'msp-id'],
    revoke: ['org', 'user', 'reason', 'sign-as', 'out'],
    'propose-add': ['org', 'channel', 'definition', 'out'],
    'propose-remove': ['org', 'channel', 'member', 'out'],
    join: ['org', 'channel'],
    sign: ['org', 'proposal'],
    submit: ['org', 'proposal'],
    inspect: ['org', 'proposal'],
    units: ['org', 'out'],
    export: ['org', 'out'],
    'verify-definition': ['file'],
    found: ['org', 'hand-over'],
    up: ['org', 'hand-over'],
    deploy: ['org'],
    app: ['org'],
  };
  const stray = Object.keys(values).filter(
    (key) =>
      key !== 'help' &&
      values[key as keyof typeof values] !== undefined &&
      !allowed[command as OrgCommand].includes(key),
  );
  if (stray.length > 0) throw new Error(`${command} takes no --${stray[0]}`);
  if (command === 'verify-definition') return { command, file: required('file') };
  const orgNamed = (slug: string, flag = '--org'): OrgSpec => orgOf(members, slug, flag);
  if (command === 'export') return { command, org: orgNamed(required('org')), out: values.out };
  if (command === 'init') return initCommandLine(required('org'), values.name, values['msp-id'], members);
  // The Raft orderer org runs processes too (its CA and orderers): it has material and units of its own.
  if (command === 'units')
    return { command, org: orgOf([...members, ORDERER_ORG], required('org'), '--org'), out: values.out };
  const org = orgNamed(required('org'));
  const channel = (): string => {
    const name = required('channel');
    if (!CHANNEL_NAME_PATTERN.test(name)) throw new Error(`--channel: '${name}' is not a channel name`);
    return name;
  };
  if (command === 'join') return { command, org, channel: channel() };
  if (command === 'found' || command === 'up') return { command, org, handOver: required('hand-over') };
  if (command === 'deploy' || command === 'app') return { command, org };
  if (command === 'propose-add')
    return { command, org, channel: channel(), definition: required('definition'), out: values.out };
  if (command === 'propose-remove') {
    const member = required('member');
    if (!ORG_MSP_ID_PATTERN.test(member)) throw new Error(`--member: '${member}' is not an MSP id (e.g. HospitalBMSP)`);
    return { command, org, channel: channel(), member, out: values.out };
  }
  if (command !== 'revoke')
    return { command: command as 'sign' | 'submit' | 'inspect', org, proposal: required('proposal') };
  const user = required('user');
  if (!ENROLLMENT_ID.test(user)) throw new Error(`--user: '${user}' is not an enrollment id`);
  const signAs =
    values['sign-as'] === undefined
      ? []
      : values['sign-as'].split(',').map((slug) => orgNamed(slug.trim(), '--sign-as'));
  return {
    command,
    org,
    user,
    reason: parseRevocationReason(values.reason ?? 'unspecified'),
    signAs: [...new Map(signAs.map((other) => [other.mspId, other])).values()],
    out: values.out,
  };
}

/**
 * `init --org <slug>`: a founding org (or the Raft orderer org), or — with `--name` and `--msp-id` —
 * a new org that joins the channels after the founding (see joining-org.ts).
 */
function initCommandLine(
  slug: string,
  name: string | undefined,
  mspId: string | undefined,
  members: readonly OrgSpec[],
): OrgCommandLine {
  if (isFoundingOrg(slug)) {
    const founder = orgOf([...PEER_ORGS, ORDERER_ORG], slug, '--org');
    if (name !== undefined || mspId !== undefined)
      throw new Error(
        `--name and --msp-id name a new org; ${slug} is a founding org (${founder.name}, ${founder.mspId})`,
      );
    return { command: 'init', org: founder, joining: undefined };
  }
  // The directory's own new org, initialised before, needs no names again (other names are refused at claim).
  const recorded = members.find((org) => org.slug === slug);
  const given = name === undefined && mspId === undefined && recorded !== undefined ? recorded : { name, mspId };
  if (given.name === undefined || given.mspId === undefined)
    throw new Error(
      `--org: '${slug}' is not a founding org (${PEER_ORGS.map((o) => o.slug).join(', ')}); a new org that joins ` +
        `the channels later is initialised with --name <Name> --msp-id <Name>MSP too`,
    );
  let org: OrgSpec;
  try {
    org = joiningOrg(slug, { name: given.name, mspId: given.mspId });
  } catch (error) {
    throw new Error(`init: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { command: 'init', org, joining: { name: org.name, mspId: org.mspId } };
}
