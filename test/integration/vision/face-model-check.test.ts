// The start-up check of the face model files: hashed once, then trusted while the files are
// untouched, and still caught when a file changes afterwards.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureFaceModels, FACE_NETWORKS, type FaceNetwork } from '../../../src/vision/face-model-files.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const NETWORKS = Object.keys(FACE_NETWORKS) as FaceNetwork[];

let dir: string;

/** Stand-in model files with their checksums recorded, as a release ships them. */
function writeModels(): void {
  const sums: Record<string, string> = {};
  for (const n of NETWORKS) {
    const bytes = Buffer.from(`model bytes of ${n}`.repeat(1000));
    writeFileSync(join(dir, FACE_NETWORKS[n].file), bytes);
    sums[n] = createHash('sha256').update(bytes).digest('hex');
  }
  writeFileSync(join(dir, 'checksums.json'), JSON.stringify(sums));
}

beforeEach(async () => {
  dir = await makeTempDir('shutterfind-model-check-');
  writeModels();
});

afterEach(async () => {
  await removeDir(dir);
});

describe('checking the face model files at start', () => {
  it('records each file it has hashed, so the next start need not hash it again', async () => {
    const paths = await ensureFaceModels(dir);
    expect(paths.descriptor).toBe(join(dir, FACE_NETWORKS.descriptor.file));
    const verified = JSON.parse(readFileSync(join(dir, 'verified.json'), 'utf8')) as Record<string, { sha256: string; size: number }>;
    const recorded = JSON.parse(readFileSync(join(dir, 'checksums.json'), 'utf8')) as Record<FaceNetwork, string>;
    for (const n of NETWORKS) expect(verified[FACE_NETWORKS[n].file]?.sha256).toBe(recorded[n]);
  });

  it('still catches a file changed after it was verified, even at the same size', async () => {
    await ensureFaceModels(dir);
    const file = join(dir, FACE_NETWORKS.landmarks.file);
    const bytes = readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(file, bytes);
    // The stand-ins are not what converting face-api's weights gives, so the re-conversion the
    // changed file sets off cannot match checksums.json either: the error names the mismatch.
    await expect(ensureFaceModels(dir)).rejects.toThrow(/do not match models\/face\/checksums\.json/);
  }, 120_000);

  it('treats a damaged record as none: every file is hashed again and the record rewritten', async () => {
    writeFileSync(join(dir, 'verified.json'), 'not json');
    const paths = await ensureFaceModels(dir);
    expect(existsSync(paths.detector)).toBe(true);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'verified.json'), 'utf8')) as object)).toHaveLength(NETWORKS.length);
  });
});
