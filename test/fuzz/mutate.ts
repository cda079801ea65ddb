// Byte-level mutations for the coverage-guided fuzzer, aimed at what breaks format walkers:
// cut-off files, flipped bits, offsets and counts that point anywhere (past the end, at
// themselves, at the header), copied or removed chunks. Randomness comes in as a parameter.

export type Random = () => number;

/** mulberry32: seedable, so a run with the same seed makes the same inputs. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

/** A copy: Buffer's slice() is a view, and a mutation must never write into the corpus. */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function below(random: Random, n: number): number {
  return Math.floor(random() * n);
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[below(random, items.length)] as T;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0xd8, 0xd9, 0xda, 0xc0] as const;

/** Values a walker treats specially: chain ends, header-sized offsets, sign and width edges. */
function interestingWord(random: Random, length: number, at: number): number {
  const choices = [
    0,
    1,
    2,
    4,
    8,
    16,
    0xff,
    0x7fff,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    length,
    length - 1,
    length + 1,
    at, // points at itself: the smallest loop
    Math.max(0, at - 12), // at the entry before: a two-step loop in an IFD
    below(random, Math.max(1, length)), // somewhere inside the file
    length + below(random, 1 << 20), // a little past the end
  ];
  return pick(random, choices) >>> 0;
}

function writeWord(bytes: Uint8Array, at: number, value: number, width: 2 | 4, littleEndian: boolean): void {
  for (let i = 0; i < width; i += 1) {
    const shift = littleEndian ? i * 8 : (width - 1 - i) * 8;
    if (at + i < bytes.length) bytes[at + i] = (value >>> shift) & 0xff;
  }
}

type Mutation = (input: Uint8Array, random: Random, other: Uint8Array) => Uint8Array;

const MUTATIONS: readonly Mutation[] = [
  // Truncate: what a copy that is still running or was interrupted leaves.
  (input, random) => copyOf(input.subarray(0, below(random, input.length + 1))),
  (input, random) => {
    const out = copyOf(input);
    if (out.length === 0) return out;
    const at = below(random, out.length);
    out[at] = (out[at] ?? 0) ^ (1 << below(random, 8));
    return out;
  },
  (input, random) => {
    const out = copyOf(input);
    if (out.length > 0) out[below(random, out.length)] = pick(random, INTERESTING_BYTES);
    return out;
  },
  (input, random) => {
    const out = copyOf(input);
    if (out.length > 0) out[below(random, out.length)] = below(random, 256);
    return out;
  },
  // Bogus offsets and huge counts, in either byte order.
  (input, random) => {
    const out = copyOf(input);
    if (out.length < 2) return out;
    const at = below(random, out.length);
    const width = random() < 0.5 ? 2 : 4;
    writeWord(out, at, interestingWord(random, out.length, at), width, random() < 0.5);
    return out;
  },
  // Add or subtract a little: an offset off by a few bytes.
  (input, random) => {
    const out = copyOf(input);
    if (out.length < 4) return out;
    const at = below(random, out.length - 3);
    const littleEndian = random() < 0.5;
    const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const delta = below(random, 33) - 16;
    view.setUint32(at, (view.getUint32(at, littleEndian) + delta) >>> 0, littleEndian);
    return out;
  },
  // Remove a chunk: a transfer that resumed at the wrong offset.
  (input, random) => {
    if (input.length < 2) return copyOf(input);
    const start = below(random, input.length);
    const end = Math.min(input.length, start + 1 + below(random, 256));
    const out = new Uint8Array(input.length - (end - start));
    out.set(input.subarray(0, start), 0);
    out.set(input.subarray(end), start);
    return out;
  },
  // Copy a chunk from elsewhere in the file (or from another input) over a position.
  (input, random, other) => {
    const out = copyOf(input);
    const source = random() < 0.5 ? input : other;
    if (out.length === 0 || source.length === 0) return out;
    const from = below(random, source.length);
    const length = Math.min(1 + below(random, 64), source.length - from);
    const to = below(random, out.length);
    out.set(source.subarray(from, from + Math.min(length, out.length - to)), to);
    return out;
  },
  // Insert bytes: padding a camera or FTP mode adds, or garbage.
  (input, random) => {
    const at = below(random, input.length + 1);
    const fill = pick(random, [0x00, 0xff, -1]);
    const length = 1 + below(random, random() < 0.9 ? 64 : 4096);
    const inserted = new Uint8Array(length).map(() => (fill === -1 ? below(random, 256) : fill));
    const out = new Uint8Array(input.length + length);
    out.set(input.subarray(0, at), 0);
    out.set(inserted, at);
    out.set(input.subarray(at), at + length);
    return out;
  },
  // Repeat a chunk many times: big tables, long chains and tangles of overlapping headers,
  // where a walk that is quadratic in the size shows.
  (input, random) => {
    if (input.length === 0) return copyOf(input);
    const from = below(random, input.length);
    const chunk = input.subarray(from, Math.min(input.length, from + 1 + below(random, 32)));
    const times = 2 + below(random, 4096);
    const out = new Uint8Array(input.length + chunk.length * times);
    out.set(input.subarray(0, from), 0);
    for (let i = 0; i < times; i += 1) out.set(chunk, from + i * chunk.length);
    out.set(input.subarray(from), from + chunk.length * times);
    return out;
  },
  // Splice: the head of one input with the tail of another.
  (input, random, other) => {
    const cut = below(random, input.length + 1);
    const from = below(random, other.length + 1);
    const out = new Uint8Array(cut + other.length - from);
    out.set(input.subarray(0, cut), 0);
    out.set(other.subarray(from), cut);
    return out;
  },
];

/** One to eight stacked mutations (AFL's "havoc"), capped at maxLength bytes. */
export function mutate(input: Uint8Array, other: Uint8Array, random: Random, maxLength: number): Uint8Array {
  let out = input;
  const rounds = 1 + below(random, 8);
  for (let i = 0; i < rounds; i += 1) out = pick(random, MUTATIONS)(out, random, other);
  return out.length > maxLength ? out.subarray(0, maxLength) : out;
}
