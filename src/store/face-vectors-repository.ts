// Face vectors (sqlite-vec vec0): each face's L2-normalised 128-d descriptor, once as float32 for
// exact cosine search and once binary-quantised (1 bit per dimension, 16 bytes) for a fast
// hamming pre-selection when an event holds too many faces for an exact scan within a kiosk's
// latency budget. Both tables are partitioned by event, so a search never leaves its event.
import type { Database } from 'better-sqlite3';

export type FaceSearchMode = 'exact' | 'binary-rerank';
export type FaceSearchModeChoice = FaceSearchMode | 'auto';

export interface NearestFace {
  faceId: number;
  /** Cosine distance (1 - cosine similarity), 0 = same direction. */
  distance: number;
}

export interface NearestPhoto {
  photoId: number;
  /** The photo's face closest to the query. */
  faceId: number;
  distance: number;
  /** That face's box [x, y, w, h] as stored in `faces`. */
  box: [number, number, number, number];
}

export interface NearestPhotosQuery {
  limit: number;
  /** Faces farther than this are not a match (the face-match threshold). */
  maxDistance: number;
  mode?: FaceSearchModeChoice;
}

export interface FaceVectorsOptions {
  /**
   * Hamming candidates re-ranked exactly per requested neighbour, and at least
   * `minRerankCandidates` (capped at MAX_KNN_K). Measured on face-api descriptors with a centre
   * (test/bench/selfie-search.bench.ts): the exact top 100 is 99% inside the first 2,000.
   */
  rerankOversample?: number;
  minRerankCandidates?: number;
  /**
   * Events with at least this many faces are searched with binary-rerank under 'auto'. Measured
   * on 2 cores (p50): exact 12 ms at 50k, 25 ms at 100k, 250 ms at 1M; binary-rerank with a
   * 2,000 pool 19, 26 and 139 ms. Exact is as fast up to ~100k and has perfect recall.
   */
  binaryFromFaceCount?: number;
  /**
   * Subtracted from a vector before its sign bits are taken, on insert and on query. face-api
   * descriptors share a large common component (the mean of real ones has norm 0.94), so raw
   * sign bits are nearly constant on many dimensions; centring raised recall@100 at a 2,000
   * pool from 0.85 to 0.99 at 100k faces (measured). Must not change once bits are stored.
   */
  quantisationCentre?: Float32Array | null;
}

// sqlite-vec refuses KNN queries with k above 4096.
export const MAX_KNN_K = 4096;
export const EMBEDDING_DIMS = 128;

export const FACE_VECTOR_DEFAULTS: Required<FaceVectorsOptions> = {
  rerankOversample: 10,
  minRerankCandidates: 2000,
  binaryFromFaceCount: 150_000,
  quantisationCentre: null,
};

// nearestPhotos asks for this many faces per wanted photo first, and doubles while neither the
// photo limit nor the match threshold is reached. Starting smaller (64 faces) measured slower:
// a selfie often matches hundreds of faces, and every pass is a full scan of the event.
const FACES_PER_PHOTO_GUESS = 2;

/** Cosine distance between two vectors of the same length (not assumed unit length). */
export function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}

/** How many hamming candidates binary-rerank re-scores exactly for `k` neighbours. */
export function rerankCandidates(
  k: number,
  options: Pick<Required<FaceVectorsOptions>, 'rerankOversample' | 'minRerankCandidates'>,
): number {
  return Math.min(MAX_KNN_K, Math.max(k, options.minRerankCandidates, k * options.rerankOversample));
}

export interface FaceOfPhoto {
  faceId: number;
  photoId: number;
  box: [number, number, number, number];
}

/** One entry per photo, with its best face, best first; faces beyond maxDistance are dropped. */
export function bestFacePerPhoto(
  nearest: readonly NearestFace[],
  faces: ReadonlyMap<number, FaceOfPhoto>,
  maxDistance: number,
  limit: number,
): NearestPhoto[] {
  const seen = new Set<number>();
  const out: NearestPhoto[] = [];
  for (const n of nearest) {
    if (n.distance > maxDistance || out.length >= limit) break;
    const face = faces.get(n.faceId);
    if (!face || seen.has(face.photoId)) continue;
    seen.add(face.photoId);
    out.push({ photoId: face.photoId, faceId: n.faceId, distance: n.distance, box: face.box });
  }
  return out;
}

/** One vec0 chunk of binary codes as stored by sqlite-vec 0.1.x. */
export interface BitChunk {
  /** One bit per slot, least significant bit first: the slot holds a live row. */
  validity: Uint8Array;
  /** Little-endian int64 row id (face id) per slot. */
  rowids: Uint8Array;
  /** CODE_BYTES per slot, packed. */
  vectors: Uint8Array;
}

const CODE_BYTES = EMBEDDING_DIMS / 8;
const CODE_WORDS = CODE_BYTES / 4;
const MAX_HAMMING = EMBEDDING_DIMS;

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Face ids of the `size` codes nearest to `code` by hamming distance (fewer if the chunks hold
 * fewer rows). Distances are small integers, so a histogram finds the cut-off in one pass and
 * the selection needs no sort; ties at the cut-off are taken in storage order.
 */
export function selectByHamming(chunks: readonly BitChunk[], code: Uint8Array, size: number): number[] {
  const q = new Uint32Array(CODE_WORDS);
  new Uint8Array(q.buffer).set(code.subarray(0, CODE_BYTES));
  const slotsPerChunk = chunks.reduce((m, c) => Math.max(m, c.validity.length * 8), 0);
  const distances = new Uint8Array(chunks.length * slotsPerChunk).fill(MAX_HAMMING + 1);
  const histogram = new Uint32Array(MAX_HAMMING + 2);
  let words = new Uint32Array(0);
  chunks.forEach((chunk, c) => {
    const slots = Math.min(chunk.validity.length * 8, chunk.vectors.length / CODE_BYTES);
    // Copy into an aligned buffer: blobs from better-sqlite3 may start at any byte offset.
    if (words.length < slots * CODE_WORDS) words = new Uint32Array(slots * CODE_WORDS);
    new Uint8Array(words.buffer).set(chunk.vectors.subarray(0, slots * CODE_BYTES));
    for (let s = 0; s < slots; s++) {
      if (((chunk.validity[s >>> 3]! >>> (s & 7)) & 1) === 0) continue;
      let d = 0;
      for (let w = 0; w < CODE_WORDS; w++) d += popcount32(words[s * CODE_WORDS + w]! ^ q[w]!);
      distances[c * slotsPerChunk + s] = d;
      histogram[d]!++;
    }
  });
  let cutoff = 0;
  let below = 0;
  while (cutoff <= MAX_HAMMING && below + histogram[cutoff]! < size) below += histogram[cutoff++]!;
  let tiesLeft = size - below;
  const ids: number[] = [];
  for (let i = 0; i < distances.length; i++) {
    const d = distances[i]!;
    if (d > cutoff || (d === cutoff && tiesLeft-- <= 0)) continue;
    const chunk = chunks[Math.floor(i / slotsPerChunk)]!;
    const offset = (i % slotsPerChunk) * 8;
    const view = new DataView(chunk.rowids.buffer, chunk.rowids.byteOffset, chunk.rowids.byteLength);
    ids.push(Number(view.getBigInt64(offset, true)));
  }
  return ids;
}

function asBlob(v: Float32Array): Buffer {
  if (v.length !== EMBEDDING_DIMS) throw new RangeError(`A face embedding has ${EMBEDDING_DIMS} dimensions, got ${v.length}`);
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function blobAsVector(blob: Buffer): Float32Array {
  // Copy: better-sqlite3 blobs are not guaranteed 4-byte aligned for a Float32Array view.
  const out = new Float32Array(EMBEDDING_DIMS);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

interface FaceRow {
  id: number;
  photo_id: number;
  box_x: number;
  box_y: number;
  box_w: number;
  box_h: number;
}

export function createFaceVectorsRepository(db: Database, options: FaceVectorsOptions = {}) {
  const settings = { ...FACE_VECTOR_DEFAULTS, ...options };
  // vec0 keys must be bound as INTEGER; better-sqlite3 binds JS numbers as REAL, hence BigInt.
  const insertFloat = db.prepare('INSERT INTO face_embeddings (face_id, event_id, embedding) VALUES (?, ?, ?)');
  const insertBits = db.prepare('INSERT INTO face_embeddings_bits (face_id, event_id, embedding) VALUES (?, ?, vec_quantize_binary(?))');
  const deleteFloat = db.prepare('DELETE FROM face_embeddings WHERE face_id = ?');
  const deleteBits = db.prepare('DELETE FROM face_embeddings_bits WHERE face_id = ?');
  const knnExact = db.prepare<[Buffer, bigint, number], { face_id: number; distance: number }>(
    'SELECT face_id, distance FROM face_embeddings WHERE embedding MATCH ? AND event_id = ? AND k = ? ORDER BY distance',
  );
  // The hamming pre-selection reads the vec0 shadow tables of face_embeddings_bits and counts
  // bits in JS. sqlite-vec's own KNN selects its top k per 1,024-row chunk in O(chunk x k), so a
  // pool of 1,000 candidates cost 150 ms at 100k faces (measured, 0.1.9), while a plain scan of
  // 16-byte codes is a few ms. The layout (validity bitmap, int64 rowids, packed codes per
  // chunk) is that of sqlite-vec 0.1.x, checked at start-up; other versions fall back to vec0.
  const bitChunks = db.prepare<[bigint], { validity: Buffer; rowids: Buffer; vectors: Buffer }>(
    `SELECT c.validity, c.rowids, v.vectors FROM face_embeddings_bits_chunks c
       JOIN face_embeddings_bits_vector_chunks00 v ON v.rowid = c.chunk_id
      WHERE c.partition00 = ? ORDER BY c.chunk_id`,
  );
  const quantise = db.prepare<[Buffer], { bits: Buffer }>('SELECT vec_quantize_binary(?) AS bits');
  const knnHamming = db.prepare<[Buffer, bigint, number], { face_id: number }>(
    'SELECT face_id FROM face_embeddings_bits WHERE embedding MATCH vec_quantize_binary(?) AND event_id = ? AND k = ?',
  );
  const createdBy = db
    .prepare<[], { value: unknown }>("SELECT value FROM face_embeddings_bits_info WHERE key = 'CREATE_VERSION'")
    .get()?.value;
  const knownBitsLayout = typeof createdBy === 'string' && createdBy.startsWith('v0.1.');
  // A vec0 point lookup per candidate: 10-15 us each at 100k faces, mostly SQLite walking the
  // overflow pages of a 512 KB float chunk to the slot's offset. This is the main cost of
  // binary-rerank, hence the bounded pool; a KNN with `face_id IN (...)` measured no faster.
  const vectorOf = db.prepare<[bigint], { embedding: Buffer }>('SELECT embedding FROM face_embeddings WHERE face_id = ?');
  // An event's float vectors in bulk for an in-memory index: the same chunk layout as the bit
  // codes (checked against this table's own CREATE_VERSION), one 1,024-slot chunk per row,
  // instead of a vec0 full scan that looks each row up on its own.
  const floatChunks = db.prepare<[bigint], { validity: Buffer; rowids: Buffer; vectors: Buffer }>(
    `SELECT c.validity, c.rowids, v.vectors FROM face_embeddings_chunks c
       JOIN face_embeddings_vector_chunks00 v ON v.rowid = c.chunk_id
      WHERE c.partition00 = ? ORDER BY c.chunk_id`,
  );
  const floatsCreatedBy = db
    .prepare<[], { value: unknown }>("SELECT value FROM face_embeddings_info WHERE key = 'CREATE_VERSION'")
    .get()?.value;
  const knownFloatsLayout = typeof floatsCreatedBy === 'string' && floatsCreatedBy.startsWith('v0.1.');
  const vectorsOfEvent = db.prepare<[bigint], { face_id: number; embedding: Buffer }>(
    'SELECT face_id, embedding FROM face_embeddings WHERE event_id = ?',
  );
  // Counting stops at the cutoff, so deciding 'auto' costs at most that many index entries.
  const facesUpTo = db.prepare<[number, number], { n: number }>(
    'SELECT count(*) AS n FROM (SELECT 1 FROM faces WHERE event_id = ? LIMIT ?)',
  );
  const facesById = db.prepare<[string], FaceRow>(
    'SELECT id, photo_id, box_x, box_y, box_w, box_h FROM faces WHERE id IN (SELECT value FROM json_each(?))',
  );

  const centre = settings.quantisationCentre;
  if (centre && centre.length !== EMBEDDING_DIMS)
    throw new RangeError(`The quantisation centre needs ${EMBEDDING_DIMS} dimensions, got ${centre.length}`);
  const centred = (v: Float32Array): Buffer => (centre ? asBlob(v.map((x, i) => x - centre[i]!)) : asBlob(v));

  const insertOne = (faceId: number, eventId: number, embedding: Float32Array) => {
    insertFloat.run(BigInt(faceId), BigInt(eventId), asBlob(embedding));
    insertBits.run(BigInt(faceId), BigInt(eventId), centred(embedding));
  };
  const insertTx = db.transaction(insertOne);
  const insertManyTx = db.transaction((rows: readonly FaceVector[]) => {
    for (const r of rows) insertOne(r.faceId, r.eventId, r.embedding);
  });
  const deleteTx = db.transaction((faceIds: readonly number[]) => {
    for (const id of faceIds) {
      deleteFloat.run(BigInt(id));
      deleteBits.run(BigInt(id));
    }
  });

  function exact(eventId: number, query: Float32Array, k: number): NearestFace[] {
    return knnExact.all(asBlob(query), BigInt(eventId), Math.min(k, MAX_KNN_K)).map((r) => ({ faceId: r.face_id, distance: r.distance }));
  }

  function hammingPool(eventId: number, query: Float32Array, size: number): number[] {
    if (!knownBitsLayout) return knnHamming.all(centred(query), BigInt(eventId), Math.min(size, MAX_KNN_K)).map((r) => r.face_id);
    const code = quantise.get(centred(query))!.bits;
    return selectByHamming(bitChunks.all(BigInt(eventId)), code, size);
  }

  function binaryRerank(eventId: number, query: Float32Array, k: number): NearestFace[] {
    const scored: NearestFace[] = [];
    for (const faceId of hammingPool(eventId, query, rerankCandidates(k, settings))) {
      const row = vectorOf.get(BigInt(faceId));
      if (row) scored.push({ faceId, distance: cosineDistance(query, blobAsVector(row.embedding)) });
    }
    scored.sort((a, b) => a.distance - b.distance);
    return scored.slice(0, k);
  }

  function resolveMode(eventId: number, mode: FaceSearchModeChoice): FaceSearchMode {
    if (mode !== 'auto') return mode;
    return facesUpTo.get(eventId, settings.binaryFromFaceCount)!.n >= settings.binaryFromFaceCount ? 'binary-rerank' : 'exact';
  }

  function nearestFaces(eventId: number, query: Float32Array, k: number, mode: FaceSearchModeChoice = 'auto'): NearestFace[] {
    if (k <= 0) return [];
    return resolveMode(eventId, mode) === 'exact' ? exact(eventId, query, k) : binaryRerank(eventId, query, k);
  }

  return {
    /** Stores one face's vector in both tables; joins the caller's transaction when there is one. */
    insert(faceId: number, eventId: number, embedding: Float32Array): void {
      insertTx(faceId, eventId, embedding);
    },
    /** Many vectors in one transaction (a photo's faces, or a bulk import). */
    insertMany(rows: readonly FaceVector[]): void {
      insertManyTx(rows);
    },
    deleteFaces(faceIds: readonly number[]): void {
      deleteTx(faceIds);
    },
    /** The k faces of the event closest to the query by cosine distance, best first. */
    nearestFaces,
    /**
     * Every stored vector of the event, in storage order, for building an in-memory index. Each
     * row's embedding is a fresh Float32Array.
     */
    *eachVector(eventId: number): Generator<{ faceId: number; embedding: Float32Array }> {
      if (!knownFloatsLayout) {
        for (const r of vectorsOfEvent.iterate(BigInt(eventId))) yield { faceId: r.face_id, embedding: blobAsVector(r.embedding) };
        return;
      }
      const bytesPerVector = EMBEDDING_DIMS * 4;
      for (const chunk of floatChunks.iterate(BigInt(eventId))) {
        const slots = Math.min(chunk.validity.length * 8, chunk.vectors.length / bytesPerVector);
        const rowids = new DataView(chunk.rowids.buffer, chunk.rowids.byteOffset, chunk.rowids.byteLength);
        for (let s = 0; s < slots; s++) {
          if (((chunk.validity[s >>> 3]! >>> (s & 7)) & 1) === 0) continue;
          const embedding = new Float32Array(EMBEDDING_DIMS);
          new Uint8Array(embedding.buffer).set(chunk.vectors.subarray(s * bytesPerVector, (s + 1) * bytesPerVector));
          yield { faceId: Number(rowids.getBigInt64(s * 8, true)), embedding };
        }
      }
    },
    /** The stored vectors of a few faces, in the order asked; undefined where a face has none. */
    vectorsOf(faceIds: readonly number[]): (Float32Array | undefined)[] {
      return faceIds.map((id) => {
        const row = vectorOf.get(BigInt(id));
        return row ? blobAsVector(row.embedding) : undefined;
      });
    },
    /** Photo and box of each given face that still exists. */
    facesOf(faceIds: readonly number[]): Map<number, FaceOfPhoto> {
      const rows = facesById.all(JSON.stringify(faceIds));
      return new Map(
        rows.map((r) => [
          r.id,
          { faceId: r.id, photoId: r.photo_id, box: [r.box_x, r.box_y, r.box_w, r.box_h] as [number, number, number, number] },
        ]),
      );
    },
    /** The mode 'auto' picks for this event now. */
    searchModeFor(eventId: number): FaceSearchMode {
      return resolveMode(eventId, 'auto');
    },
    /** Photos of the event with a face within maxDistance of the query, each once with its best face, best first. */
    nearestPhotos(eventId: number, query: Float32Array, q: NearestPhotosQuery): NearestPhoto[] {
      if (q.limit <= 0) return [];
      const mode = resolveMode(eventId, q.mode ?? 'auto');
      let k = Math.min(MAX_KNN_K, q.limit * FACES_PER_PHOTO_GUESS);
      for (;;) {
        const nearest = nearestFaces(eventId, query, k, mode);
        const rows = facesById.all(JSON.stringify(nearest.map((n) => n.faceId)));
        const faces = new Map(
          rows.map((r) => [
            r.id,
            { faceId: r.id, photoId: r.photo_id, box: [r.box_x, r.box_y, r.box_w, r.box_h] as [number, number, number, number] },
          ]),
        );
        const photos = bestFacePerPhoto(nearest, faces, q.maxDistance, q.limit);
        // Done when enough photos, when the event has no more faces, when the farthest face
        // fetched is already past the threshold, or when sqlite-vec cannot give more.
        const exhausted = nearest.length < k || (nearest.at(-1)?.distance ?? Infinity) > q.maxDistance || k >= MAX_KNN_K;
        if (photos.length >= q.limit || exhausted) return photos;
        k = Math.min(MAX_KNN_K, k * 2);
      }
    },
  };
}

export interface FaceVector {
  faceId: number;
  eventId: number;
  embedding: Float32Array;
}

export type FaceVectorsRepository = ReturnType<typeof createFaceVectorsRepository>;
