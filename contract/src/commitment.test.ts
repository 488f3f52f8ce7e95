import {
  CanonicalContentError,
  canonicalContent,
  canonicalContentJson,
  nfcKeyCollisionOf,
  type ChatMessage,
} from './canonical-content';
import { contentCommitment, recordSalt } from './commitment';

// Vectors computed independently (Python's hmac/hashlib/unicodedata), not by this code.
const KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const SALT_OF_IX_0001 = '9a8fe4eb219db7bd950c715c74697c6e1cea223db1e6d15c090d654127bd69ab';

describe('canonical content', () => {
  it('normalises text to NFC and encodes it as UTF-8, changing nothing else', () => {
    // "e" + combining acute (NFD) becomes the single code point é.
    expect(canonicalContent('Cafe\u0301 — résumé?\n').toString('hex')).toBe('436166c3a920e280942072c3a973756dc3a93f0a');
    expect(canonicalContent('  a\r\n')).toEqual(Buffer.from('  a\r\n', 'utf8'));
  });

  it('writes chat messages as canonical JSON: sorted keys at every depth, NFC strings, no whitespace', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Hallo Welt' },
      { role: 'user', name: 'dr', content: [{ type: 'text', text: 'cafe\u0301' }] },
    ];
    expect(canonicalContent(messages).toString('utf8')).toBe(
      '[{"content":"Hallo Welt","role":"system"},{"content":[{"text":"café","type":"text"}],"name":"dr","role":"user"}]',
    );
  });

  it('gives the same bytes for the same content whatever the key order or number spelling', () => {
    const a = JSON.parse('[{"role":"user","content":"x","temperature":1.0,"n":[3,1]}]') as ChatMessage[];
    const b = JSON.parse('[{"n":[3,1],"temperature":1,"content":"x","role":"user"}]') as ChatMessage[];
    expect(canonicalContent(a)).toEqual(canonicalContent(b));
    expect(canonicalContentJson({ b: null, a: [true, 'é'] })).toBe('{"a":[true,"é"],"b":null}');
  });

  it('keeps array order: reordered messages are different content', () => {
    const first: ChatMessage[] = [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
    ];
    expect(canonicalContent(first)).not.toEqual(canonicalContent([...first].reverse()));
  });

  it('refuses messages with an object holding two keys equal after NFC, which would otherwise share bytes', () => {
    const nfc = 'caf\u00e9';
    const nfd = 'cafe\u0301';
    // Two different contents: the values swap between the two spellings of the key.
    const a = [{ role: 'user', content: { [nfc]: 1, [nfd]: 2 } }] as unknown as ChatMessage[];
    const b = [{ role: 'user', content: { [nfd]: 1, [nfc]: 2 } }] as unknown as ChatMessage[];
    for (const messages of [a, b]) {
      expect(() => canonicalContent(messages)).toThrow(CanonicalContentError);
      expect(nfcKeyCollisionOf(messages)).toEqual({ path: [0, 'content'], key: nfc });
    }
    expect(() => canonicalContent(a)).toThrow(
      '[0].content: holds the key "café" twice after Unicode NFC normalisation, so it has no canonical form',
    );
    // At the top of a message and deep inside one; the error names where.
    const top = [{ role: 'user', [nfc]: 'x', [nfd]: 'y' }] as unknown as ChatMessage[];
    expect(nfcKeyCollisionOf(top)).toEqual({ path: [0], key: nfc });
    let thrown: unknown;
    try {
      canonicalContentJson({ list: [{ ok: 1 }, { deep: { [nfd]: 1, [nfc]: 1 } }] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CanonicalContentError);
    expect((thrown as CanonicalContentError).collision).toEqual({ path: ['list', 1, 'deep'], key: nfc });
    // One spelling of a key, in either normalisation, is fine; and so is text with both spellings.
    expect(nfcKeyCollisionOf([{ role: 'user', [nfd]: 1 }])).toBeUndefined();
    expect(canonicalContent([{ role: 'user', [nfd]: 1 }]).toString('utf8')).toBe(`[{"${nfc}":1,"role":"user"}]`);
    expect(canonicalContent(`${nfc} ${nfd}`).toString('utf8')).toBe(`${nfc} ${nfc}`);
  });
});

describe('commitments', () => {
  it('derives the per-record salt as HMAC-SHA256(key, record id)', () => {
    expect(recordSalt(KEY, 'ix-0001').toString('hex')).toBe(SALT_OF_IX_0001);
    expect(recordSalt(KEY, 'ix-0002').toString('hex')).not.toBe(SALT_OF_IX_0001);
  });

  it('commits to text and to chat messages with HMAC-SHA256(salt, canonical content)', () => {
    const salt = Buffer.from(SALT_OF_IX_0001, 'hex');
    expect(contentCommitment(salt, 'Cafe\u0301 — résumé?\n')).toBe(
      'hmac-sha256:d79266e23eeea669d0cde4ad8398242dc4e4364de5303a53d9d8426a7e585c1d',
    );
    expect(contentCommitment(salt, 'Café — résumé?\n')).toBe(
      'hmac-sha256:d79266e23eeea669d0cde4ad8398242dc4e4364de5303a53d9d8426a7e585c1d',
    );
    const messages: ChatMessage[] = [
      { content: 'Hallo Welt', role: 'system' },
      { role: 'user', content: [{ text: 'café', type: 'text' }], name: 'dr' },
    ];
    expect(contentCommitment(salt, messages)).toBe(
      'hmac-sha256:9df9cbd534e4dd5b987458a92a82bc18a5f3640454cdb47e13eadeedab7ac775',
    );
    expect(contentCommitment(salt, 'Café — résumé!\n')).not.toBe(contentCommitment(salt, 'Café — résumé?\n'));
  });

  it('refuses a key that is not 64 lowercase hex characters', () => {
    expect(() => recordSalt('ABCD', 'ix')).toThrow(/64 lowercase hex/);
  });
});
