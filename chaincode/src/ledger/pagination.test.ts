import type { StoredInteraction } from '@aal/ledger-contract';
import type { Context } from 'fabric-contract-api';
import { ArtifactsContract } from '../artifacts/artifacts-contract';
import { BatchesContract } from '../batches/batch-contract';
import { ConsentContract } from '../consents/consent-contract';
import { InteractionContract } from '../interactions/interaction-contract';
import { InMemoryLedger, type TestIdentity } from '../testing/in-memory-ledger';
import { interactionInput } from '../testing/interaction-fixture';
import { addPreviousInteractionIndexes, toPreviousBatchLayout } from '../testing/previous-layout';
import { refusalOf } from '../testing/refusal';
import { registerSubject } from '../testing/registered-subject';
import { checkBookmarkInRange, peerKeyBytes, rangePage } from './pagination';

/**
 * Issue 10, cursor tampering: the peer resumes a paginated range query at whatever bookmark the
 * chaincode passes (it replaces the start key; testing/in-memory-ledger.ts does the same), so a
 * client-made bookmark must be checked against the query's key range before it reaches the peer.
 */
const recorderA: TestIdentity = { mspId: 'HospitalAMSP', role: 'recorder' };
const recorderP: TestIdentity = { mspId: 'AIProviderMSP', role: 'recorder' };
const managerA: TestIdentity = { mspId: 'HospitalAMSP', role: 'consent-manager' };
const SEP = '\u0000';
const notThisQuery = {
  code: 'INVALID_ARGUMENT',
  message: 'bookmark: does not belong to this query',
  violations: [{ path: 'bookmark', rule: 'does not belong to this query' }],
};

describe('peerKeyBytes', () => {
  it('is UTF-8 for well-formed text, and drops or widens lone surrogates as the shim’s protobuf encoder does', () => {
    for (const text of ['idx\u0000HospitalAMSP\u0000', 'é', '\uFFFD', '\u{1D49C}', '\u{10FFFF}'])
      expect(peerKeyBytes(text)).toEqual(Buffer.from(text, 'utf8'));
    expect(peerKeyBytes('a\uD800b')).toEqual(Buffer.from('ab'));
    expect(peerKeyBytes('a\uDC00')).toEqual(Buffer.from([0x61, 0xed, 0xb0, 0x80]));
    expect(peerKeyBytes('a\uD800')).toEqual(Buffer.from([0x61, 0xed, 0xa0, 0x80]));
  });
});

describe('checkBookmarkInRange', () => {
  const start = `idx${SEP}AIProviderMSP${SEP}2026-01-03T00:00:00.000Z`;
  const end = `idx${SEP}AIProviderMSP${SEP}\u{10FFFF}`;

  it('admits no bookmark, and bookmarks from the start key (inclusive) to the end key (exclusive)', () => {
    for (const bookmark of ['', start, `${start}${SEP}id-1${SEP}`, `idx${SEP}AIProviderMSP${SEP}\uFFFD`])
      expect(() => checkBookmarkInRange(bookmark, start, end)).not.toThrow();
  });

  it('refuses a bookmark before the start key, at or after the end key, or with a lone surrogate', () => {
    for (const bookmark of [
      `idx${SEP}AIProviderMSP${SEP}2026-01-01T00:00:00.000Z`,
      `idx${SEP}AIProviderMSP`,
      `${SEP}interaction${SEP}i-1${SEP}`,
      end,
      `idx${SEP}HospitalAMSP${SEP}`,
      // In JavaScript's order this lies inside the range; the peer never sees the lone surrogate
      // (its encoder drops it) and would start at 2026-01-01, before `from`.
      `idx${SEP}AIProviderMSP${SEP}2026-01-0\uD8001T00:00:00.000Z`,
    ]) {
      expect(() => checkBookmarkInRange(bookmark, start, end)).toThrow('bookmark: does not belong to this query');
    }
  });

  it('compares as the peer does, by bytes: U+FFFD sorts before U+1D49C there, after it in JavaScript', () => {
    const value = `idx${SEP}\u{1D49C}`;
    expect(`idx${SEP}\uFFFD` > value).toBe(true);
    expect(() => checkBookmarkInRange(`idx${SEP}\uFFFD`, value, `${value}\u{10FFFF}`)).toThrow(
      'bookmark: does not belong to this query',
    );
    expect(() => checkBookmarkInRange(`${value}\uFFFD`, value, `${value}\u{10FFFF}`)).not.toThrow();
  });
});

describe('cursor tampering against every query', () => {
  const interactions = new InteractionContract();
  const batches = new BatchesContract();
  const consents = new ConsentContract();
  const artifacts = new ArtifactsContract();

  /**
   * HospitalA's and the AI provider's interactions, on days 1–4, single and batched, in the previous
   * layout: its index entries are what the queries read (the lean layout writes none).
   */
  async function twoOrgs(): Promise<InMemoryLedger> {
    const ledger = new InMemoryLedger();
    for (const [who, prefix] of [
      [recorderA, 'HospitalAMSP:a'],
      [recorderP, 'AIProviderMSP:p'],
    ] as const) {
      for (let day = 1; day <= 4; day++) {
        const txTime = `2026-01-0${day}T00:00:00.000Z`;
        const stored = await ledger.submit(
          who,
          (ctx) => interactions.RecordInteraction(ctx, JSON.stringify(interactionInput(`${prefix}-${day}`))),
          { txTime },
        );
        await addPreviousInteractionIndexes(ledger, [JSON.parse(stored) as StoredInteraction]);
        const batched = [interactionInput(`${prefix}-b${day}`)];
        const { batchId } = JSON.parse(
          await ledger.submit(who, (ctx) => batches.RecordBatch(ctx, JSON.stringify(batched)), { txTime }),
        ) as { batchId: string };
        await toPreviousBatchLayout(ledger, batchId, batched as never);
      }
    }
    return ledger;
  }

  it('is a real threat: unchecked, the peer walks from a made-up bookmark into another org’s index entries', async () => {
    const ledger = await twoOrgs();
    // HospitalA's own part of the org-scoped index; AIProviderMSP's part sorts before it.
    const own = `interaction-by-org-requestModel${SEP}HospitalAMSP${SEP}gpt-4o${SEP}`;
    const orgs = await ledger.evaluate(recorderA, async (ctx) =>
      (
        await rangePage(ctx, own, `${own}\u{10FFFF}`, 10, `interaction-by-org-requestModel${SEP}AIProviderMSP${SEP}`)
      ).records.map((entry) => entry.key.split(SEP)[1]),
    );
    expect(orgs).toEqual([...Array<string>(4).fill('AIProviderMSP'), ...Array<string>(4).fill('HospitalAMSP')]);
  });

  it('QueryInteractions and QueryBatches refuse bookmarks into another org’s entries, other indexes, records, or before `from`', async () => {
    const ledger = await twoOrgs();
    const queries: ((ctx: Context, filter: string) => Promise<string>)[] = [
      (ctx, filter) => interactions.QueryInteractions(ctx, filter),
      (ctx, filter) => batches.QueryBatches(ctx, filter),
    ];
    for (const query of queries) {
      for (const bookmark of [
        `interaction-by-org-requestModel${SEP}AIProviderMSP${SEP}`,
        `batch-by-org-requestModel${SEP}AIProviderMSP${SEP}`,
        `interaction-by-requestModel${SEP}gpt-4o${SEP}`,
        `${SEP}interaction${SEP}p-1${SEP}`,
        SEP,
        `interaction-by-org${SEP}HospitalAMSP${SEP}2026-01-0\uD8001T00:00:00.000Z`,
        `batch-by-org${SEP}HospitalAMSP${SEP}2026-01-0\uD8001T00:00:00.000Z`,
      ]) {
        for (const filter of [
          { by: 'requestModel', value: 'gpt-4o', bookmark },
          { by: 'org', value: 'HospitalAMSP', from: '2026-01-03T00:00:00Z', bookmark },
        ]) {
          expect(await refusalOf(ledger.evaluate(recorderA, (ctx) => query(ctx, JSON.stringify(filter))))).toEqual(
            notThisQuery,
          );
        }
      }
    }
  });

  it('QueryConsents and QueryArtifacts refuse bookmarks outside their index path', async () => {
    const ledger = await twoOrgs();
    await registerSubject(ledger, 'HospitalAMSP', 'HospitalAMSP:subj-1');
    const consent = {
      id: 'HospitalAMSP:c-1',
      subjectRef: 'HospitalAMSP:subj-1',
      grantees: ['HospitalAMSP'],
      decision: 'permit',
      purposes: ['ai-inference'],
      period: { start: '2026-01-01T00:00:00Z', end: '2026-06-30T23:59:59Z' },
      policyCommitment: `hmac-sha256:${'b'.repeat(64)}`,
    };
    await ledger.submit(managerA, (ctx) => consents.GrantConsent(ctx, JSON.stringify(consent)));
    const artifact = { id: 'HospitalAMSP:d-1', kind: 'dataset', name: 'notes', version: '1', sha256: 'a'.repeat(64) };
    await ledger.submit(recorderA, (ctx) => artifacts.RegisterArtifact(ctx, JSON.stringify(artifact)));

    for (const bookmark of [
      SEP,
      `consent-by-grantee${SEP}`,
      `consent-by-purpose${SEP}ai-inference${SEP}`,
      `interaction-by-org${SEP}AIProviderMSP${SEP}`,
    ]) {
      const filter = JSON.stringify({ by: 'subjectRef', value: 'HospitalAMSP:subj-1', bookmark });
      expect(await refusalOf(ledger.evaluate(recorderP, (ctx) => consents.QueryConsents(ctx, filter)))).toEqual(
        notThisQuery,
      );
    }
    for (const bookmark of [
      SEP,
      `artifact-by-kind${SEP}`,
      `artifact-by-name${SEP}notes${SEP}`,
      `consent-by-subjectRef${SEP}`,
    ]) {
      const filter = JSON.stringify({ by: 'kind', value: 'dataset', bookmark });
      expect(await refusalOf(ledger.evaluate(recorderP, (ctx) => artifacts.QueryArtifacts(ctx, filter)))).toEqual(
        notThisQuery,
      );
    }
  });
});
