import { contentCommitment, recordSalt, type Content } from '@aal/ledger-contract';

/** Prompt and output as a client sends them: content (committed here, then dropped) or a precomputed commitment. */
export interface ContentOrCommitments {
  readonly prompt?: Content;
  readonly promptCommitment?: string;
  readonly output?: Content;
  readonly outputCommitment?: string;
}

/** True when the record carries content, so the app needs the record's key to commit to it. */
export function carriesContent(record: ContentOrCommitments): boolean {
  return record.prompt !== undefined || record.output !== undefined;
}

/**
 * The record as the ledger takes it: `prompt` and `output` replaced by their commitments under the
 * record's salt. The content itself is not part of the result, so it cannot reach the ledger.
 *
 * @param keyHex the record's salt key (subject key or org content key); needed only when content is present
 */
export function committedRecord<T extends ContentOrCommitments & { readonly id: string }>(
  record: T,
  keyHex: string | undefined,
): Omit<T, 'prompt' | 'output'> & { promptCommitment: string; outputCommitment?: string } {
  const { prompt, output, ...rest } = record;
  const salt = prompt !== undefined || output !== undefined ? recordSalt(requireKey(keyHex), record.id) : undefined;
  const promptCommitment =
    prompt !== undefined && salt !== undefined ? contentCommitment(salt, prompt) : record.promptCommitment;
  const outputCommitment =
    output !== undefined && salt !== undefined ? contentCommitment(salt, output) : record.outputCommitment;
  // The schema guarantees exactly one of prompt / promptCommitment.
  if (promptCommitment === undefined) throw new Error('a record needs a prompt or a promptCommitment');
  return { ...rest, promptCommitment, ...(outputCommitment === undefined ? {} : { outputCommitment }) };
}

function requireKey(keyHex: string | undefined): string {
  if (keyHex === undefined) throw new Error('content needs the record key to be committed');
  return keyHex;
}

/** The outcome of checking one presented field against the record. */
export type ContentVerdict = 'match' | 'mismatch' | 'erased' | 'not-recorded';

/**
 * Compares presented content with a stored record's commitments, field by field (only the fields
 * presented are answered).
 *
 * @param salt the record's salt, or `'erased'` when its subject key is gone
 */
export function verifyRecordContent(
  stored: { readonly promptCommitment: string; readonly outputCommitment?: string },
  salt: Buffer | 'erased',
  presented: { readonly prompt?: Content; readonly output?: Content },
): { prompt?: ContentVerdict; output?: ContentVerdict } {
  const verdict = (content: Content, commitment: string | undefined): ContentVerdict => {
    if (commitment === undefined) return 'not-recorded';
    if (salt === 'erased') return 'erased';
    return contentCommitment(salt, content) === commitment ? 'match' : 'mismatch';
  };
  return {
    ...(presented.prompt === undefined ? {} : { prompt: verdict(presented.prompt, stored.promptCommitment) }),
    ...(presented.output === undefined ? {} : { output: verdict(presented.output, stored.outputCommitment) }),
  };
}
