import { TRANSACTIONS, isSubjectErasedRefusal } from '@aal/ledger-contract';
import type { LedgerClient } from '../ledger/ledger-client';
import { LedgerError } from '../ledger/ledger-error';
import type { OrgKeys } from './org-keys';

/** A subject's key, or the fact that the subject was erased (its key destroyed). */
export type SubjectKeyState = { readonly state: 'active'; readonly subjectKey: string } | { readonly state: 'erased' };

/**
 * The keys commitments are salted with (docs/privacy.md): the org's content key for records without
 * a subject, and each subject's own key. Both live in the org's implicit private collection and are
 * read by evaluation on the org's own peer, with the caller's role's identity so the chaincode checks
 * the role. Keys are held in memory only while used and never logged.
 *
 * For other routes (interactions, verification): `subjectKeys.orgContentKey(ledger, channel)` and
 * `subjectKeys.subjectKey(ledger, channel, subjectRef)`.
 */
export class SubjectKeys {
  /** The content key never changes once set, so it is read once per channel. */
  private readonly contentKeys = new Map<string, string>();

  constructor(private readonly orgKeys: OrgKeys) {}

  /** The org's content key on `channel`, initialising the org keys first if needed. */
  async orgContentKey(ledger: LedgerClient, channel: string): Promise<string> {
    const cached = this.contentKeys.get(channel);
    if (cached !== undefined) return cached;
    await this.orgKeys.ensure(channel);
    const { contentKey } = JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getOrgContentKey, [])) as {
      contentKey: string;
    };
    this.contentKeys.set(channel, contentKey);
    return contentKey;
  }

  /**
   * The subject's key, or `erased` after an erasure. Not cached: an erasure must take effect at once.
   * @throws LedgerError `not-found` when this org never registered `subjectRef`
   */
  async subjectKey(ledger: LedgerClient, channel: string, subjectRef: string): Promise<SubjectKeyState> {
    try {
      const { subjectKey } = JSON.parse(await ledger.evaluate(channel, TRANSACTIONS.getSubjectKey, [subjectRef])) as {
        subjectKey: string;
      };
      return { state: 'active', subjectKey };
    } catch (error) {
      if (
        error instanceof LedgerError &&
        error.code !== undefined &&
        isSubjectErasedRefusal({ code: error.code, reasons: error.reasons })
      )
        return { state: 'erased' };
      throw error;
    }
  }
}
