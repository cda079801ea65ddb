import type { Database } from 'better-sqlite3';
import type { Source, SourceState } from './types.js';

interface SourceRow {
  id: number;
  event_id: number;
  path: string;
  label: string | null;
  state: SourceState;
  error: string | null;
}

const toSource = (r: SourceRow): Source => ({
  id: r.id,
  eventId: r.event_id,
  path: r.path,
  label: r.label,
  state: r.state,
  error: r.error,
});

const COLUMNS = 'id, event_id, path, label, state, error';

export function createSourcesRepository(db: Database) {
  const upsert = db.prepare(
    `INSERT INTO sources (event_id, path, state, created_at, updated_at) VALUES (?, ?, 'watching', ?, ?)
     ON CONFLICT (event_id, path) DO UPDATE SET state = 'watching', error = NULL, updated_at = excluded.updated_at
     WHERE sources.state = 'removed'`,
  );
  const byPath = db.prepare<[number, string], SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE event_id = ? AND path = ?`);
  const byEvent = db.prepare<[number], SourceRow>(`SELECT ${COLUMNS} FROM sources WHERE event_id = ? AND state != 'removed' ORDER BY id`);
  const setState = db.prepare('UPDATE sources SET state = ?, error = ?, updated_at = ? WHERE id = ?');

  return {
    ensureSource(eventId: number, path: string, now: number): Source {
      upsert.run(eventId, path, now, now);
      const row = byPath.get(eventId, path);
      if (!row) throw new Error(`Source ${path} could not be recorded`);
      return toSource(row);
    },
    listSources(eventId: number): Source[] {
      return byEvent.all(eventId).map(toSource);
    },
    setSourceState(id: number, state: SourceState, error: string | null, now: number): void {
      setState.run(state, error, now, id);
    },
  };
}

export type SourcesRepository = ReturnType<typeof createSourcesRepository>;
