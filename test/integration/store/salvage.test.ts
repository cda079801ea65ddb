// Rescuing a damaged database file: real SQLite files with pages overwritten on disk, as a
// failing drive or a sync tool copying the file mid-write would leave them.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkDatabase,
  checkpointAndClose,
  createRepositories,
  currentSchemaVersion,
  DatabaseDamagedError,
  MIGRATIONS,
  openDatabase,
  salvageDatabase,
  type Database,
} from '../../../src/store/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const PAGE = 4096;
const OUTBOX_ROWS = 3000;
let dir: string;
let path: string;

/** Overwrites whole pages with 0xFF: no valid b-tree page starts like that, so SQLite sees the damage. */
function damagePages(file: string, pages: readonly number[]): void {
  const fd = openSync(file, 'r+');
  try {
    for (const p of pages) writeSync(fd, Buffer.alloc(PAGE, 0xff), 0, PAGE, (p - 1) * PAGE);
  } finally {
    closeSync(fd);
  }
}

function leafPages(db: Database, table: string): { pageno: number; ncell: number }[] {
  return db
    .prepare<[string], { pageno: number; ncell: number }>(
      "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY path",
    )
    .all(table);
}

beforeEach(async () => {
  dir = await makeTempDir();
  path = join(dir, 'shutterfind.db');
});
afterEach(async () => {
  await removeDir(dir);
});

/** An event with a source and thousands of outbox rows, spread over a few hundred pages. */
function buildDatabase(): { eventId: number; pageSize: number } {
  const db = openDatabase(path);
  const repos = createRepositories(db);
  const event = repos.events.ensureEvent('Gala', 1);
  repos.sources.ensureSource(event.id, '/Volumes/EOS/DCIM', 1);
  const insert = db.prepare('INSERT INTO outbox (event_id, topic, entity_id, payload_json, created_at) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= OUTBOX_ROWS; i++) insert.run(event.id, 'photo.ready', i, JSON.stringify({ id: i, note: 'x'.repeat(280) }), i);
  })();
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  checkpointAndClose(db);
  return { eventId: event.id, pageSize };
}

describe('a damaged database', () => {
  it('is found sound by the check when nothing is wrong', () => {
    buildDatabase();
    expect(checkDatabase(path)).toEqual({ ok: true, problems: [] });
  });

  it('gives every row outside the broken pages back, and says which stretch was lost', () => {
    const { pageSize } = buildDatabase();
    expect(pageSize).toBe(PAGE);
    const db = openDatabase(path);
    const leaves = leafPages(db, 'outbox');
    db.close();
    expect(leaves.length).toBeGreaterThan(100);
    // Two neighbouring pages in the middle, and the very last one (which also hides max(rowid)).
    const broken = [leaves[60]!, leaves[61]!, leaves.at(-1)!];
    damagePages(
      path,
      broken.map((l) => l.pageno),
    );

    const check = checkDatabase(path);
    expect(check.ok).toBe(false);
    expect(check.problems.join(' ')).toMatch(/malformed|corrupt|page/i);

    const target = join(dir, 'rescued.db');
    const report = salvageDatabase(path, target, { maxAttempts: 4 });
    const outbox = report.tables.find((t) => t.table === 'outbox')!;
    const lostRows = broken.reduce((n, l) => n + l.ncell, 0);
    expect(outbox.copied).toBe(OUTBOX_ROWS - lostRows);
    expect(outbox.unreadable).toHaveLength(2);
    expect(outbox.unreadable[1]![1]).toBeNull();
    expect(report.tables.find((t) => t.table === 'events')!.copied).toBe(1);
    expect(report.tables.find((t) => t.table === 'sources')!.copied).toBe(1);

    const rescued = openDatabase(target);
    try {
      expect(currentSchemaVersion(rescued)).toBe(MIGRATIONS.length);
      expect(rescued.pragma('quick_check', { simple: true })).toBe('ok');
      const ids = rescued
        .prepare<[], { entity_id: number }>('SELECT entity_id FROM outbox ORDER BY id')
        .all()
        .map((r) => r.entity_id);
      expect(ids[0]).toBe(1);
      // What is missing is exactly two stretches: the middle pages' rows and the last page's.
      const gaps = ids.slice(1).filter((id, i) => id !== ids[i]! + 1);
      expect(gaps).toHaveLength(1);
      expect(ids.at(-1)).toBe(OUTBOX_ROWS - broken[2]!.ncell);
      expect(
        createRepositories(rescued)
          .sources.listSources(1)
          .map((s) => s.path),
      ).toEqual(['/Volumes/EOS/DCIM']);
    } finally {
      rescued.close();
    }
  });

  it('whose header is destroyed refuses to open with what to do, and is rescued as an empty database', () => {
    buildDatabase();
    damagePages(path, [1]);
    expect(() => openDatabase(path)).toThrow(DatabaseDamagedError);
    expect(() => openDatabase(path)).toThrow(/is damaged .*Original photos are not affected.*shutterfind repair --data-dir/);

    const target = join(dir, 'rescued.db');
    const report = salvageDatabase(path, target, { maxAttempts: 4 });
    expect(report.readable).toBe(false);
    expect(report.error).toMatch(/not a database|malformed/);
    const rescued = openDatabase(target);
    try {
      expect(createRepositories(rescued).events.listEvents()).toEqual([]);
      expect(currentSchemaVersion(rescued)).toBe(MIGRATIONS.length);
    } finally {
      rescued.close();
    }
  });
});
