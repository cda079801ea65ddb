// Property-based fuzzing of the hand-written format checks (src/ingest/formats.ts) with a fixed
// seed, so a failure reproduces on every machine. The longer coverage-guided run is `npm run fuzz`.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkCompleteness, type PhotoFormat } from '../../../src/camera-files/index.js';
import { damagedCopyArb } from '../../fuzz/arbitraries.js';
import { ALL_FORMATS, boundedFile, checkCompletenessSafely, probeBytes } from '../../fuzz/harnesses.js';
import { seedsFor } from '../../fuzz/seeds.js';

const SEED = 0x5f1e_2024;
const RUNS = 300;

// First bytes that send the checks down each walker, so random tails exercise more than "no format".
const MAGICS: readonly (readonly number[])[] = [
  [0xff, 0xd8, 0xff],
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [...Buffer.from('II*\0')],
  [...Buffer.from('MM\0*')],
  [...Buffer.from('IIRO')],
  [0, 0, 0, 0x18, ...Buffer.from('ftypheic')],
  [0, 0, 0, 0x18, ...Buffer.from('ftypcrx ')],
  [...Buffer.from('FUJIFILMCCD-RAW 0201')],
];

const arbitraryFile = fc
  .tuple(fc.constantFrom(...MAGICS), fc.uint8Array({ maxLength: 2048 }))
  .map(([magic, tail]) => Uint8Array.of(...magic, ...tail));

let tiffSeeds: Buffer[];
let containerSeeds: Buffer[];

beforeAll(async () => {
  [tiffSeeds, containerSeeds] = await Promise.all([seedsFor('tiff'), seedsFor('containers')]);
});

/** A little-endian TIFF of `nexts.length` one-entry directories, each linking to the directory its `nexts` value names. */
function tiffChain(nexts: readonly number[], subIfdsOf: readonly number[][]): Uint8Array {
  const ifdBytes = (i: number): number => 2 + (subIfdsOf[i]?.length ? 12 : 0) + 4;
  const ifdAt: number[] = [];
  let at = 8;
  for (let i = 0; i < nexts.length; i += 1) {
    ifdAt.push(at);
    at += ifdBytes(i);
  }
  const tableAt = at;
  const tables = subIfdsOf.map((list) => list.length);
  const file = Buffer.alloc(tableAt + tables.reduce((sum, n) => sum + 4 * n, 0));
  file.write('II*\0', 0, 'latin1');
  file.writeUInt32LE(ifdAt[0] ?? 0, 4);
  let nextTable = tableAt;
  const target = (index: number): number => (index < 0 ? 0 : (ifdAt[index % ifdAt.length] ?? 0));
  nexts.forEach((next, i) => {
    const start = ifdAt[i] as number;
    const subIfds = subIfdsOf[i] ?? [];
    file.writeUInt16LE(subIfds.length > 0 ? 1 : 0, start);
    let end = start + 2;
    if (subIfds.length > 0) {
      file.writeUInt16LE(330, end); // SubIFDs
      file.writeUInt16LE(4, end + 2); // LONG
      file.writeUInt32LE(subIfds.length, end + 4);
      if (subIfds.length === 1) file.writeUInt32LE(target(subIfds[0] as number), end + 8);
      else {
        file.writeUInt32LE(nextTable, end + 8);
        subIfds.forEach((s, j) => file.writeUInt32LE(target(s), nextTable + 4 * j));
        nextTable += 4 * subIfds.length;
      }
      end += 12;
    }
    file.writeUInt32LE(target(next), end);
  });
  return file;
}

describe('fuzzing the format checks', () => {
  it('never throws, reads outside the file or reads without end, on arbitrary bytes behind any magic', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryFile, async (bytes) => {
        await probeBytes(bytes, 'IMG_0001.NEF', ALL_FORMATS);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('answers complete, incomplete, damaged or unknown for a damaged copy of a real TIFF or RAW file', async () => {
    await fc.assert(
      fc.asyncProperty(damagedCopyArb(tiffSeeds), async (bytes) => {
        await probeBytes(bytes, 'IMG_0001.NEF', ['tiff', 'raw-tiff']);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('answers complete, incomplete, damaged or unknown for a damaged copy of a JPEG, PNG, AVIF, CR3 or RAF', async () => {
    await fc.assert(
      fc.asyncProperty(damagedCopyArb(containerSeeds), async (bytes) => {
        await probeBytes(bytes, 'IMG_0001.HEIC', ['jpeg', 'png', 'heic', 'raf']);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('ends a walk over any loop of directory and SubIFD offsets within a bounded number of reads', async () => {
    const chain = fc
      .integer({ min: 1, max: 80 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.integer({ min: -1, max: n - 1 }), { minLength: n, maxLength: n }),
          fc.array(fc.array(fc.integer({ min: -1, max: n - 1 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(chain, async ([nexts, subIfds]) => {
        const file = boundedFile(tiffChain(nexts, subIfds));
        const result = await checkCompleteness(file, 'tiff');
        expect(['complete', 'unknown']).toContain(result.state);
        // Two reads per directory (count, then table) and one per SubIFD table, 64 directories at most.
        expect(file.reads).toBeLessThanOrEqual(1 + 64 * 3);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never calls a file that is still being written damaged, and never complete', async () => {
    // Every prefix of a valid file is what the folder holds at some moment of a copy. JPEG is
    // left out: a prefix can end just after an EXIF thumbnail's end marker.
    const structured = (): Uint8Array[] => [...tiffSeeds, ...containerSeeds.slice(1)];
    const formatOf = (bytes: Uint8Array): PhotoFormat =>
      tiffSeeds.includes(bytes as Buffer)
        ? 'raw-tiff'
        : (['png', 'avif', 'cr3', 'raf'] as const)[containerSeeds.indexOf(bytes as Buffer) - 1]!;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...structured()), fc.double({ min: 0, max: 1, noNaN: true }), async (file, fraction) => {
        const cut = Math.min(file.length - 1, Math.floor(file.length * fraction));
        const result = await checkCompletenessSafely(file.subarray(0, cut), formatOf(file));
        expect(result.state).toBe('incomplete');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('does not overflow the stack or read for seconds on a SubIFD or strip table of 2^20 values', async () => {
    const values = 1 << 20;
    const tableAt = 64;
    const file = Buffer.alloc(tableAt + 4 * values);
    file.write('II*\0', 0, 'latin1');
    file.writeUInt32LE(8, 4);
    const entries = [
      [273, values], // StripOffsets
      [279, values], // StripByteCounts
      [330, values], // SubIFDs
    ] as const;
    file.writeUInt16LE(entries.length, 8);
    entries.forEach(([tag, count], i) => {
      const at = 10 + 12 * i;
      file.writeUInt16LE(tag, at);
      file.writeUInt16LE(4, at + 2);
      file.writeUInt32LE(count, at + 4);
      file.writeUInt32LE(tableAt, at + 8);
    });
    await expect(checkCompletenessSafely(file, 'tiff')).resolves.toEqual({ state: 'unknown' });
  });
});
