import type { Database } from 'better-sqlite3';
import type { Event } from './types.js';

interface EventRow {
  id: number;
  name: string;
  created_at: number;
}

const toEvent = (r: EventRow): Event => ({ id: r.id, name: r.name, createdAt: r.created_at });

export function createEventsRepository(db: Database) {
  const byName = db.prepare<[string], EventRow>('SELECT id, name, created_at FROM events WHERE name = ?');
  const insert = db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
  const all = db.prepare<[], EventRow>('SELECT id, name, created_at FROM events ORDER BY created_at, id');
  const settingsOf = db.prepare<[number], { settings_json: string }>('SELECT settings_json FROM events WHERE id = ?');
  const setSettings = db.prepare('UPDATE events SET settings_json = ? WHERE id = ?');
  const descriptorOf = db.prepare<[number], { model: string }>('SELECT model FROM event_face_descriptors WHERE event_id = ?');
  const recordDescriptor = db.prepare(
    `INSERT INTO event_face_descriptors (event_id, model, recorded_at) VALUES (?, ?, ?)
     ON CONFLICT (event_id) DO UPDATE SET model = excluded.model, recorded_at = excluded.recorded_at`,
  );

  return {
    findEventByName(name: string): Event | undefined {
      const row = byName.get(name);
      return row ? toEvent(row) : undefined;
    },
    ensureEvent(name: string, now: number): Event {
      insert.run(name, now);
      const row = byName.get(name);
      if (!row) throw new Error(`Event "${name}" could not be created`);
      return toEvent(row);
    },
    listEvents(): Event[] {
      return all.all().map(toEvent);
    },
    /** The event's own settings as saved (validated and defaulted by config, not here). */
    eventSettings(eventId: number): unknown {
      const row = settingsOf.get(eventId);
      return row ? JSON.parse(row.settings_json) : {};
    },
    saveEventSettings(eventId: number, settings: unknown): void {
      setSettings.run(JSON.stringify(settings), eventId);
    },
    /** The descriptor model the event's stored face descriptors come from; null: none recorded yet (an event created since the record exists). */
    faceDescriptorOf(eventId: number): string | null {
      return descriptorOf.get(eventId)?.model ?? null;
    },
    recordFaceDescriptor(eventId: number, model: string, now: number): void {
      recordDescriptor.run(eventId, model, now);
    },
  };
}

export type EventsRepository = ReturnType<typeof createEventsRepository>;
