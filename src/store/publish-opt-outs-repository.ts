// "Do not publish" records: who asked (or was marked) not to be published, from where, when, and
// when it was withdrawn. Records are revoked, never deleted, so the list stays auditable.
import type { Database } from 'better-sqlite3';

export type OptOutSource = 'kiosk' | 'organiser';

export interface PublishOptOut {
  id: number;
  eventId: number;
  /** The person opted out; null for a kiosk attendee's own face, or a person since removed. */
  personId: number | null;
  /** The person's name when the opt-out was made. */
  personName: string | null;
  /** A kiosk attendee's selfie descriptor, kept only to find and blur their face. */
  faceEmbedding: Float32Array | null;
  source: OptOutSource;
  kioskSessionId: string | null;
  note: string | null;
  createdAt: number;
  revokedAt: number | null;
  revokedBy: string | null;
  revokeReason: string | null;
}

export interface NewOptOut {
  eventId: number;
  personId: number | null;
  personName: string | null;
  faceEmbedding: Float32Array | null;
  source: OptOutSource;
  kioskSessionId: string | null;
  note: string | null;
  createdAt: number;
}

interface OptOutRow {
  id: number;
  event_id: number;
  person_id: number | null;
  person_name: string | null;
  face_embedding: Buffer | null;
  source: OptOutSource;
  kiosk_session_id: string | null;
  note: string | null;
  created_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/** Copies out of the row's Buffer: its memory may be reused and need not be 4-byte aligned. */
const fromBlob = (b: Buffer): Float32Array => {
  const out = new Float32Array(b.byteLength / Float32Array.BYTES_PER_ELEMENT);
  new Uint8Array(out.buffer).set(b);
  return out;
};

const toOptOut = (r: OptOutRow): PublishOptOut => ({
  id: r.id,
  eventId: r.event_id,
  personId: r.person_id,
  personName: r.person_name,
  faceEmbedding: r.face_embedding ? fromBlob(r.face_embedding) : null,
  source: r.source,
  kioskSessionId: r.kiosk_session_id,
  note: r.note,
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
  revokeReason: r.revoke_reason,
});

export function createPublishOptOutsRepository(db: Database) {
  const insert = db.prepare(
    `INSERT INTO publish_opt_outs (event_id, person_id, person_name, face_embedding, source, kiosk_session_id, note, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const all = db.prepare<[number], OptOutRow>('SELECT * FROM publish_opt_outs WHERE event_id = ? ORDER BY created_at, id');
  const active = db.prepare<[number], OptOutRow>(
    'SELECT * FROM publish_opt_outs WHERE event_id = ? AND revoked_at IS NULL ORDER BY created_at, id',
  );
  const byId = db.prepare<[number], OptOutRow>('SELECT * FROM publish_opt_outs WHERE id = ?');
  const revokeOne = db.prepare(
    'UPDATE publish_opt_outs SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND event_id = ? AND revoked_at IS NULL',
  );
  const revokePerson = db.prepare(
    'UPDATE publish_opt_outs SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE person_id = ? AND event_id = ? AND revoked_at IS NULL',
  );

  return {
    /** Records the opt-outs together (a kiosk attendee's persons and face), returning their ids. */
    addOptOuts: db.transaction((rows: readonly NewOptOut[]): number[] =>
      rows.map((r) =>
        Number(
          insert.run(
            r.eventId,
            r.personId,
            r.personName,
            r.faceEmbedding ? Buffer.from(r.faceEmbedding.buffer, r.faceEmbedding.byteOffset, r.faceEmbedding.byteLength) : null,
            r.source,
            r.kioskSessionId,
            r.note,
            r.createdAt,
          ).lastInsertRowid,
        ),
      ),
    ),
    /** Every record of the event, revoked ones included, oldest first (the audit list). */
    listOptOuts(eventId: number): PublishOptOut[] {
      return all.all(eventId).map(toOptOut);
    },
    /** The opt-outs in force. */
    activeOptOuts(eventId: number): PublishOptOut[] {
      return active.all(eventId).map(toOptOut);
    },
    getOptOut(id: number): PublishOptOut | undefined {
      const row = byId.get(id);
      return row ? toOptOut(row) : undefined;
    },
    /** Withdraws one record; false when it is not in force (or not of this event). */
    revokeOptOut(eventId: number, id: number, by: string, reason: string | null, now: number): boolean {
      return revokeOne.run(now, by, reason, id, eventId).changes > 0;
    },
    /** Withdraws every record in force for a person; how many. */
    revokeOptOutsOfPerson(eventId: number, personId: number, by: string, reason: string | null, now: number): number {
      return revokePerson.run(now, by, reason, personId, eventId).changes;
    },
  };
}

export type PublishOptOutsRepository = ReturnType<typeof createPublishOptOutsRepository>;
