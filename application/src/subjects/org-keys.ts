import { TRANSACTIONS } from '@aal/ledger-contract';
import { randomBytes } from 'node:crypto';
import type { LedgerClient } from '../ledger/ledger-client';

/** 32 random bytes from the operating system's CSPRNG as 64 lowercase hex characters, the form the chaincode takes keys in. */
export function randomKeyHex(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Makes sure the org's content key and lookup pepper exist in its implicit private collection on a
 * channel (`Subjects:InitOrgKeys`), once per channel and app process. The keys are generated here and
 * travel only in the transient map to the org's own peers; the chaincode keeps existing keys, so
 * several app instances (or restarts) racing to initialise are harmless.
 */
export class OrgKeys {
  private readonly initialised = new Map<string, Promise<void>>();

  /**
   * @param admin ledger client of the org's admin user: only admins may initialise org keys
   * @param newKey key generator (tests pass a fixed one)
   */
  constructor(
    private readonly admin: LedgerClient,
    private readonly newKey: () => string = randomKeyHex,
  ) {}

  /** Resolves once the org keys exist on `channel`; a failed attempt is forgotten, so the next call tries again. */
  ensure(channel: string): Promise<void> {
    let done = this.initialised.get(channel);
    if (done === undefined) {
      done = this.initialise(channel);
      this.initialised.set(channel, done);
      done.catch(() => this.initialised.delete(channel));
    }
    return done;
  }

  private async initialise(channel: string): Promise<void> {
    const contentKey = this.newKey();
    let lookupPepper = this.newKey();
    // The chaincode refuses equal keys; with a CSPRNG this never happens, with a test generator it might.
    while (lookupPepper === contentKey) lookupPepper = this.newKey();
    await this.admin.submit(channel, TRANSACTIONS.initOrgKeys, [], {
      idempotent: true,
      transient: { contentKey, lookupPepper },
    });
  }
}
