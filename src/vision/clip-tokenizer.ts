// CLIP's byte-level BPE text tokenizer, through Hugging Face's tokenizers.js. A model folder
// holds either `tokenizer.json` (the "fast" layout) or `vocab.json` + `merges.txt` (OpenAI's and
// HF's "slow" layout); for the latter the equivalent tokenizer.json is built in memory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';

/** CLIP's text tower has 77 learned positions: start token, at most 75 BPE tokens, end token. */
export const CLIP_CONTEXT_LENGTH = 77;
export const CLIP_START_TOKEN = '<|startoftext|>';
export const CLIP_END_TOKEN = '<|endoftext|>';

/**
 * Padding id 0, as OpenAI's `clip.tokenize` pads (HF's CLIPTokenizer pads with the end token
 * 49407 instead). The text towers pool the hidden state at argmax(input_ids), the end token,
 * in OpenAI's model and in HF exports of checkpoints with the legacy eos_token_id: with 0 after
 * it the end token is the unique maximum whatever an argmax does with ties. The causal mask
 * already hides later positions from the end token, so the embedding does not depend on the
 * pad id; `attention_mask` is 1 from the start token to the end token inclusive, 0 on padding.
 */
export const CLIP_PAD_ID = 0;

/** Files a CLIP tokenizer can be read from, in order of preference. */
export const CLIP_TOKENIZER_LAYOUTS = [['tokenizer.json'], ['vocab.json', 'merges.txt']] as const;

export interface ClipTokens {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  length: 77;
}

export class ClipTokenizerError extends Error {
  override name = 'ClipTokenizerError';
}

// CLIP's pre-tokenisation pattern (openai/CLIP simple_tokenizer.py), as HF's tokenizer.json
// writes it: the pieces are the matches, everything between them (whitespace) is dropped.
const CLIP_SPLIT_PATTERN = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

const vocabSchema = z.record(z.string(), z.number().int().nonnegative());

/**
 * The tokenizer.json that HF's `CLIPTokenizerFast` conversion writes for a vocab and merges
 * (openai/clip-vit-base-patch32): NFC, whitespace runs to one space, lower-case; CLIP's split
 * then byte-level mapping; BPE with `</w>` closing each word and the end token as unknown.
 * Like HF's fast tokenizer it does not run ftfy or unescape HTML entities as OpenAI's
 * `basic_clean` does, so only text with mojibake or `&amp;`-style entities tokenises differently.
 */
export function clipTokenizerConfig(vocab: Record<string, number>, merges: string[]): object {
  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(CLIP_START_TOKEN), special(CLIP_END_TOKEN)],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT_PATTERN }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [CLIP_END_TOKEN, vocab[CLIP_END_TOKEN]],
      cls: [CLIP_START_TOKEN, vocab[CLIP_START_TOKEN]],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: CLIP_END_TOKEN,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

/** merges.txt: one "left right" pair a line after a `#version` header line. */
export function parseMerges(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.length > 0 && !line.startsWith('#version'));
}

export class ClipTokenizer {
  readonly startId: number;
  readonly endId: number;

  private constructor(private readonly tokenizer: Tokenizer) {
    const start = tokenizer.token_to_id(CLIP_START_TOKEN);
    const end = tokenizer.token_to_id(CLIP_END_TOKEN);
    if (start === undefined || end === undefined) {
      throw new ClipTokenizerError(`Not a CLIP tokenizer: its vocabulary lacks ${CLIP_START_TOKEN} or ${CLIP_END_TOKEN}`);
    }
    this.startId = start;
    this.endId = end;
  }

  /** Reads `tokenizer.json`, or else `vocab.json` + `merges.txt`, from a model folder. */
  static fromDir(dir: string): ClipTokenizer {
    const fast = join(dir, 'tokenizer.json');
    if (existsSync(fast)) {
      const config = readJson(fast);
      try {
        return new ClipTokenizer(new Tokenizer(config as object, {}));
      } catch (err) {
        if (err instanceof ClipTokenizerError) throw new ClipTokenizerError(`${fast}: ${err.message}`);
        throw new ClipTokenizerError(`${fast} is not a tokenizer.json that tokenizers.js can read: ${message(err)}`);
      }
    }
    const vocabPath = join(dir, 'vocab.json');
    const mergesPath = join(dir, 'merges.txt');
    if (!existsSync(vocabPath) || !existsSync(mergesPath)) {
      throw new ClipTokenizerError(
        `No CLIP tokenizer in ${dir}: expected tokenizer.json, or vocab.json and merges.txt` +
          ` (missing ${[vocabPath, mergesPath].filter((p) => !existsSync(p)).join(' and ')})`,
      );
    }
    const vocab = vocabSchema.safeParse(readJson(vocabPath));
    if (!vocab.success) throw new ClipTokenizerError(`${vocabPath} is not a token → id map: ${vocab.error.issues[0]?.message ?? ''}`);
    return ClipTokenizer.fromVocabAndMerges(vocab.data, parseMerges(readFileSync(mergesPath, 'utf8')));
  }

  static fromVocabAndMerges(vocab: Record<string, number>, merges: string[]): ClipTokenizer {
    for (const token of [CLIP_START_TOKEN, CLIP_END_TOKEN]) {
      if (vocab[token] === undefined) throw new ClipTokenizerError(`Not a CLIP vocabulary: ${token} is missing`);
    }
    return new ClipTokenizer(new Tokenizer(clipTokenizerConfig(vocab, merges), {}));
  }

  /** BPE ids of the text alone, without start/end tokens or truncation. */
  tokenIds(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  encode(text: string): ClipTokens {
    const inputIds = new BigInt64Array(CLIP_CONTEXT_LENGTH).fill(BigInt(CLIP_PAD_ID));
    const attentionMask = new BigInt64Array(CLIP_CONTEXT_LENGTH);
    this.fill(text, inputIds, attentionMask);
    return { inputIds, attentionMask, length: CLIP_CONTEXT_LENGTH };
  }

  /** Row-major [batch, 77] tensors, ready for `input_ids` and `attention_mask`. */
  encodeBatch(texts: string[]): { inputIds: BigInt64Array; attentionMask: BigInt64Array; batch: number } {
    const inputIds = new BigInt64Array(texts.length * CLIP_CONTEXT_LENGTH).fill(BigInt(CLIP_PAD_ID));
    const attentionMask = new BigInt64Array(texts.length * CLIP_CONTEXT_LENGTH);
    texts.forEach((text, i) => {
      const at = i * CLIP_CONTEXT_LENGTH;
      this.fill(text, inputIds.subarray(at, at + CLIP_CONTEXT_LENGTH), attentionMask.subarray(at, at + CLIP_CONTEXT_LENGTH));
    });
    return { inputIds, attentionMask, batch: texts.length };
  }

  /** Start token, the first 75 BPE tokens, end token (always last, as clip.tokenize(truncate=True)). */
  private fill(text: string, ids: BigInt64Array, mask: BigInt64Array): void {
    const body = this.tokenIds(text).slice(0, CLIP_CONTEXT_LENGTH - 2);
    const tokens = [this.startId, ...body, this.endId];
    tokens.forEach((id, i) => {
      ids[i] = BigInt(id);
      mask[i] = 1n;
    });
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new ClipTokenizerError(`Cannot read ${path} as JSON: ${message(err)}`);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
