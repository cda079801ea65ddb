// Content hashing, the key that makes a renamed or copied photo a duplicate.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../../src/ingest/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('shutterfind-hash-');
});
afterAll(async () => {
  await removeDir(dir);
});

const expected = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('sha256File', () => {
  it.each([
    ['an empty file', 0],
    ['a file smaller than one read', 1000],
    ['a file of exactly one read', 1 << 20],
    ['a camera-sized file over many reads, ending part-way through one', 9 * (1 << 20) + 12345],
  ])('hashes %s to the SHA-256 of all its bytes', async (_what, size) => {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 2654435761) >>> 24;
    const path = join(dir, `f-${size}.jpg`);
    writeFileSync(path, bytes);
    expect(await sha256File(path)).toBe(expected(bytes));
  });

  it('reports a missing file as the file-system error it is', async () => {
    await expect(sha256File(join(dir, 'gone.jpg'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
