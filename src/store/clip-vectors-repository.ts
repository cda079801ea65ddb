// CLIP image embeddings (512-d, L2-normalised) per photo in the sqlite-vec table
// clip_embeddings, partitioned by event: scene search by text and "more like this".
import type { Database } from 'better-sqlite3';
import type { JobsRepository } from './jobs-repository.js';

export interface SceneMatch {
  photoId: number;
  /** Cosine similarity to the query, 1 = same direction. */
  score: number;
}

const asBlob = (v: Float32Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const asVector = (b: Buffer): Float32Array => new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

// sqlite-vec refuses KNN queries with k above 4096.
const MAX_K = 4096;

export function createClipVectorsRepository(db: Database, jobs: JobsRepository) {
  const remove = db.prepare('DELETE FROM clip_embeddings WHERE photo_id = ?');
  const insert = db.prepare('INSERT INTO clip_embeddings (photo_id, event_id, embedding) VALUES (?, ?, ?)');
  const get = db.prepare<[bigint], { embedding: Buffer }>('SELECT embedding FROM clip_embeddings WHERE photo_id = ?');
  const knn = db.prepare<[Buffer, bigint, number], { photo_id: number; distance: number }>(
    'SELECT photo_id, distance FROM clip_embeddings WHERE embedding MATCH ? AND event_id = ? AND k = ? ORDER BY distance',
  );
  const count = db.prepare<[bigint], { n: number }>('SELECT count(*) AS n FROM clip_embeddings WHERE event_id = ?');
  const missing = db.prepare<[number, number], { id: number }>(
    `SELECT p.id FROM photos p
      WHERE p.event_id = ? AND p.status = 'ready' AND p.preview_path IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM clip_embeddings c WHERE c.photo_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.photo_id = p.id AND j.kind = 'photo.scene' AND j.state IN ('queued', 'leased'))
      ORDER BY p.id LIMIT ?`,
  );

  const openJob = db.prepare<[number], { id: number }>(
    "SELECT id FROM jobs WHERE photo_id = ? AND kind = 'photo.scene' AND state IN ('queued', 'leased')",
  );

  const replace = (photoId: number, eventId: number, embedding: Float32Array) => {
    remove.run(BigInt(photoId));
    insert.run(BigInt(photoId), BigInt(eventId), asBlob(embedding));
  };

  return {
    /** Stores (or replaces) a photo's embedding; joins the caller's transaction. */
    replace: db.transaction(replace),
    /** A back-fill job's result and its completion in one transaction. */
    completeClipJob: db.transaction((photoId: number, eventId: number, jobId: number, embedding: Float32Array, now: number) => {
      replace(photoId, eventId, embedding);
      jobs.completeJob(jobId, now);
    }),
    embeddingOf(photoId: number): Float32Array | undefined {
      const row = get.get(BigInt(photoId));
      return row ? asVector(row.embedding) : undefined;
    },
    /** The event's photos closest to a query vector, best first. */
    nearest(eventId: number, query: Float32Array, k: number): SceneMatch[] {
      if (k <= 0) return [];
      return knn.all(asBlob(query), BigInt(eventId), Math.min(k, MAX_K)).map((r) => ({ photoId: r.photo_id, score: 1 - r.distance }));
    },
    /**
     * Queues scene-search back-fill jobs for the event's ready photos that have no embedding,
     * in batches so a 50,000-photo event does not hold one long write; returns how many.
     */
    enqueueBackfill(eventId: number, priority: number, maxAttempts: number, now: number): number {
      let queued = 0;
      for (;;) {
        const batch = db.transaction(() => {
          const ids = missing.all(eventId, 1000).map((r) => r.id);
          for (const photoId of ids) jobs.enqueueJob({ kind: 'photo.scene', eventId, photoId, priority, maxAttempts, runAfter: now }, now);
          return ids.length;
        })();
        queued += batch;
        if (batch < 1000) return queued;
      }
    },
    /** One photo's back-fill job, unless it has an embedding or a job already. */
    enqueueBackfillOf(photoId: number, eventId: number, priority: number, maxAttempts: number, now: number): boolean {
      return db.transaction(() => {
        if (get.get(BigInt(photoId)) || openJob.get(photoId)) return false;
        jobs.enqueueJob({ kind: 'photo.scene', eventId, photoId, priority, maxAttempts, runAfter: now }, now);
        return true;
      })();
    },
    countEmbedded(eventId: number): number {
      return count.get(BigInt(eventId))!.n;
    },
    /** Ready photos with no embedding and no back-fill job yet. */
    photosWithoutEmbedding(eventId: number, limit: number): number[] {
      return missing.all(eventId, limit).map((r) => r.id);
    },
  };
}

export type ClipVectorsRepository = ReturnType<typeof createClipVectorsRepository>;
