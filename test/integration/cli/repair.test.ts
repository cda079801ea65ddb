// A damaged database in a real data dir, through the real CLI: commands say what happened and
// what to do; `repair` keeps what is readable, and the event carries on with every photo found
// and its faces complete again.
import { closeSync, openSync, readdirSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { parseJsonOutput, runCli } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

interface IngestJson {
  added: number;
  duplicates: number;
  ready: number;
  failed: unknown[];
}
interface StatusJson {
  photos: { total: number; ready: number; pending: number };
  faces?: { total: number; persons: number };
}
interface PeopleJson {
  persons: { id: number; faceCount: number }[];
}
interface RepairJson {
  healthy: boolean;
  regroupedFaces: number;
  problems: string[];
  damagedCopy: string | null;
  salvage: {
    readable: boolean;
    tables: { table: string; copied: number; unreadable: [number, number | null][] }[];
    photosRequeued: number;
    orphansRemoved: number;
  } | null;
}

let root: string;
let card: string;
let dataDir: string;
let db: string;

function damagePages(pages: readonly number[]): void {
  const fd = openSync(db, 'r+');
  try {
    for (const p of pages) writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, (p - 1) * 4096);
  } finally {
    closeSync(fd);
  }
}

/** Pages holding a table's rows (leaves), read before the damage is done. */
function leafPagesOf(table: string): number[] {
  const conn = new BetterSqlite3(db, { readonly: true });
  try {
    return conn
      .prepare<[string], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path")
      .all(table)
      .map((r) => r.pageno);
  } finally {
    conn.close();
  }
}

function facesPerPhoto(): Map<string, number> {
  const conn = new BetterSqlite3(db, { readonly: true });
  try {
    const rows = conn
      .prepare<[], { file_name: string; n: number }>(
        'SELECT p.file_name, count(f.id) AS n FROM photos p LEFT JOIN faces f ON f.photo_id = p.id GROUP BY p.id',
      )
      .all();
    return new Map(rows.map((r) => [r.file_name, r.n]));
  } finally {
    conn.close();
  }
}

const ingestCard = async () =>
  parseJsonOutput<IngestJson>(await runCli(['ingest', card, '--event', 'gala', '--data-dir', dataDir, '--json']));

beforeEach(async () => {
  root = await makeTempDir('shutterfind-repair-');
  card = join(root, 'card');
  dataDir = join(root, 'data');
  db = join(dataDir, 'shutterfind.db');
  await mkdir(card);
  for (const p of samplePhotoPaths()) await copyFile(p, join(card, basename(p)));
  const first = await ingestCard();
  expect(first.ready).toBe(6);
});
afterEach(async () => {
  await removeDir(root);
});

describe('shutterfind repair', () => {
  it('leaves a sound database untouched', async () => {
    const r = await runCli(['repair', '--data-dir', dataDir, '--json']);
    expect(r.code).toBe(0);
    expect(parseJsonOutput<RepairJson>(r)).toMatchObject({ healthy: true, damagedCopy: null });
    expect(readdirSync(dataDir).filter((f) => f.includes('damaged'))).toEqual([]);
    const text = await runCli(['repair', '--data-dir', dataDir]);
    expect(text.stdout).toMatch(/is sound .*nothing was changed/);
  });

  it('keeps the photos, queues those whose faces were on a broken page, and the event comes back whole', async () => {
    const before = facesPerPhoto();
    const faceLeaves = leafPagesOf('faces');
    expect(faceLeaves.length).toBeGreaterThan(1);
    damagePages([faceLeaves[0]!]);

    const repaired = await runCli(['repair', '--data-dir', dataDir, '--json']);
    expect(repaired.code).toBe(0);
    const report = parseJsonOutput<RepairJson>(repaired);
    expect(report.healthy).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);
    expect(report.salvage).toMatchObject({ readable: true });
    const photos = report.salvage!.tables.find((t) => t.table === 'photos')!;
    expect(photos.copied).toBe(6);
    const faces = report.salvage!.tables.find((t) => t.table === 'faces')!;
    expect(faces.unreadable).toHaveLength(1);
    expect(report.salvage!.photosRequeued).toBeGreaterThan(0);
    // The damaged file is kept beside the new one, never deleted.
    expect(readdirSync(dataDir)).toContain(basename(report.damagedCopy!));

    const status = parseJsonOutput<StatusJson>(await runCli(['status', '--event', 'gala', '--data-dir', dataDir, '--json']));
    expect(status.photos.total).toBe(6);
    expect(status.photos.pending).toBe(report.salvage!.photosRequeued);

    // The next run of the engine processes the queued photos again: every face is back.
    const again = await ingestCard();
    expect(again).toMatchObject({ added: 0, duplicates: 6, failed: [] });
    expect(facesPerPhoto()).toEqual(before);
    const after = parseJsonOutput<StatusJson>(await runCli(['status', '--event', 'gala', '--data-dir', dataDir, '--json']));
    expect(after.photos).toMatchObject({ total: 6, ready: 6, pending: 0 });
  });

  it('groups faces into people again when the people themselves were on the broken page', async () => {
    const peopleBefore = parseJsonOutput<PeopleJson>(await runCli(['people', '--event', 'gala', '--data-dir', dataDir, '--json']));
    const personLeaves = leafPagesOf('persons');
    expect(personLeaves).toHaveLength(1);
    damagePages(personLeaves);

    const report = parseJsonOutput<RepairJson>(await runCli(['repair', '--data-dir', dataDir, '--json']));
    expect(report.salvage!.tables.find((t) => t.table === 'persons')!.copied).toBe(0);
    const facesKept = report.salvage!.tables.find((t) => t.table === 'faces')!.copied;
    expect(report.regroupedFaces).toBe(facesKept);

    // Every face has a person again, and the faces fall into the same groups as before.
    const peopleAfter = parseJsonOutput<PeopleJson>(await runCli(['people', '--event', 'gala', '--data-dir', dataDir, '--json']));
    const sizes = (p: PeopleJson) => p.persons.map((x) => x.faceCount).sort((a, b) => a - b);
    expect(sizes(peopleAfter)).toEqual(sizes(peopleBefore));
  });

  it('says what to do when the file is beyond reading, and the card is imported again into a fresh database', async () => {
    damagePages([1]);
    const status = await runCli(['status', '--event', 'gala', '--data-dir', dataDir]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/is damaged .*Original photos are not affected.*shutterfind repair --data-dir/);
    expect(status.stderr).not.toMatch(/\n\s+at /);

    const repaired = await runCli(['repair', '--data-dir', dataDir]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toMatch(/Nothing could be read/);
    expect(repaired.stdout).toMatch(/kept as shutterfind\.db\.damaged-/);

    const again = await ingestCard();
    expect(again).toMatchObject({ added: 6, ready: 6, failed: [] });
  });

  it('refuses to run while an engine holds the data dir', async () => {
    const lock = join(dataDir, 'engine.lock');
    // This test process is alive, so its pid in the lock file means "engine running".
    writeFileSync(lock, String(process.pid));
    try {
      const r = await runCli(['repair', '--data-dir', dataDir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Another Shutterfind \(pid \d+\) is using the data dir/);
    } finally {
      unlinkSync(lock);
    }
  });
});
