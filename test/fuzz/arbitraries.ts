// fast-check arbitraries for damaged files: edits a valid file receives on a bad day (cut off,
// bits flipped, a pointer overwritten with a bogus offset, a huge count or a loop back to
// itself, chunks lost or inserted), applied to the generated seeds in test/fuzz/seeds.ts.
import fc from 'fast-check';

export type Edit =
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'word'; at: number; value: number; width: 2 | 4; littleEndian: boolean }
  | { kind: 'pointer'; at: number; to: number; littleEndian: boolean }
  | { kind: 'drop'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

// Chain ends, header-sized offsets, width and sign edges, "no photo is this big" and an
// ordinary bogus value.
const wordValue = fc.oneof(
  fc.constantFrom(0, 1, 4, 8, 0xff, 0x7fff, 0xffff, 0x7fff_ffff, 0x8000_0000, 0xdead_beef, 0xffff_ffff),
  fc.integer({ min: 0, max: 0xffff_ffff }),
);

export const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0xff, 0xd8, 0xd9, 0xda, 0xc0, 0x7f) }),
  fc.record({
    kind: fc.constant('word' as const),
    at: fc.nat(),
    value: wordValue,
    width: fc.constantFrom(2 as const, 4 as const),
    littleEndian: fc.boolean(),
  }),
  // An offset into the file itself, loops and pointers at the header included.
  fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), to: fc.nat(), littleEndian: fc.boolean() }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);

function writeWord(bytes: Uint8Array, at: number, value: number, width: 2 | 4, littleEndian: boolean): void {
  for (let i = 0; i < width && at + i < bytes.length; i += 1) {
    bytes[at + i] = (value >>> (littleEndian ? i * 8 : (width - 1 - i) * 8)) & 0xff;
  }
}

/** The file after the edits, in order; positions wrap around the current length. */
export function applyEdits(file: Uint8Array, edits: readonly Edit[]): Uint8Array {
  // A copy (Buffer's slice() would be a view): the seeds are shared by every run.
  let out = new Uint8Array(file);
  for (const edit of edits) {
    const length = out.length;
    const at = length === 0 ? 0 : edit.at % length;
    switch (edit.kind) {
      case 'cut':
        out = out.slice(0, at);
        break;
      case 'flip':
        if (length > 0) out[at] = (out[at] ?? 0) ^ (1 << edit.bit);
        break;
      case 'byte':
        if (length > 0) out[at] = edit.value;
        break;
      case 'word':
        writeWord(out, at, edit.value, edit.width, edit.littleEndian);
        break;
      case 'pointer':
        writeWord(out, at, length === 0 ? 0 : edit.to % (length + 16), 4, edit.littleEndian);
        break;
      case 'drop':
        {
          const end = Math.min(length, at + edit.length);
          const shrunk = new Uint8Array(length - (end - at));
          shrunk.set(out.subarray(0, at), 0);
          shrunk.set(out.subarray(end), at);
          out = shrunk;
        }
        break;
      case 'insert': {
        const grown = new Uint8Array(length + edit.bytes.length);
        grown.set(out.subarray(0, at), 0);
        grown.set(edit.bytes, at);
        grown.set(out.subarray(at), at + edit.bytes.length);
        out = grown;
        break;
      }
    }
  }
  return out;
}

/** A seed (by index) with one to six edits. */
export function damagedCopyArb(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .record({ seed: fc.nat({ max: seeds.length - 1 }), edits: fc.array(editArb, { minLength: 1, maxLength: 6 }) })
    .map(({ seed, edits }) => applyEdits(seeds[seed] as Uint8Array, edits));
}
