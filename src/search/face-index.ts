// One event's face descriptors held in memory in compact form, so a selfie search scans typed
// arrays instead of sqlite-vec's chunk tables. sqlite-vec stays the source of truth: the index is
// built from its rows and told about every face added or removed. Pure: no database here; exact
// vectors that the index does not keep come through the `exactVectorsOf` callback.
//
// Search: small events are scanned exactly in float. Larger ones get a hamming pre-selection on
// sign bits of (vector - the index's mean), a re-rank of that pool (float when the index keeps
// floats, else int8), and exact float distances for the best few, returned best-first.

export const FACE_INDEX_DIMS = 128;
const CODE_WORDS = FACE_INDEX_DIMS / 32;
const MAX_HAMMING = FACE_INDEX_DIMS;
const INT8_MAX = 127;
// Enough rows to estimate a 128-d mean and per-dimension range well; bounds the rows buffered.
const CALIBRATION_ROWS = 50_000;
const SCALE_SIGMAS = 4;
// Largest gap seen between an int8 and an exact distance on real descriptors was 0.005 (rms
// 0.0003, 3.3M pairs); candidates whose int8 distance is beyond a threshold by more than this
// are not fetched for an exact distance.
const INT8_DISTANCE_MARGIN = 0.01;

export interface FaceIndexRow {
  faceId: number;
  /** L2-normalised descriptor, FACE_INDEX_DIMS floats. */
  embedding: Float32Array;
}

export interface IndexedFace {
  faceId: number;
  /** Cosine distance, 1 - dot (vectors are unit length). */
  distance: number;
}

export interface FaceIndexOptions {
  /** At or below this many faces every query is an exact float scan (no pre-selection). */
  exactScanUpTo?: number;
  /**
   * Float copies are kept while the index holds at most this many faces (512 bytes each), and
   * always when no `exactVectorsOf` is given. Above it, exact distances of the final candidates
   * come from `exactVectorsOf` and the pool is re-ranked on int8 codes.
   */
  keepFloatsUpTo?: number;
  /** Hamming candidates re-ranked per query: max(minPool, k * poolPerNeighbour, size * poolFraction). */
  minPool?: number;
  poolPerNeighbour?: number;
  poolFraction?: number;
  /** Without floats: int8-ranked candidates given exact distances, max(minExact, k * exactPerNeighbour). */
  minExact?: number;
  exactPerNeighbour?: number;
  /** Exact vectors of the given faces (same order; undefined for a face no longer stored). */
  exactVectorsOf?: (faceIds: readonly number[]) => (Float32Array | undefined)[];
}

// Measured on real face-api descriptors (test/bench/selfie-search.bench.ts, 2-core CPU, k = 100):
// a pool of 2% of the event kept recall@100 at 0.994 at 100k faces (worst query 0.87) and 5% at
// 0.999 (worst 0.97), and 10% costs about 1 ms more there; at 1M, 2% gave 0.999 in 20 ms. The exact scan costs 0.18 us per face.
// Ranked on int8, the exact top 100 at 1M is 0.96 inside the first 100 and 0.9998 inside the
// first 150; each exact vector read back from sqlite-vec costs 100-200 us at 1M, hence 1.5 k.
export const FACE_INDEX_DEFAULTS = {
  exactScanUpTo: 20_000,
  keepFloatsUpTo: 200_000,
  minPool: 10_000,
  poolPerNeighbour: 40,
  poolFraction: 0.03,
  minExact: 150,
  exactPerNeighbour: 1.5,
} as const;

function checkDims(v: Float32Array): void {
  if (v.length !== FACE_INDEX_DIMS) throw new RangeError(`A face embedding has ${FACE_INDEX_DIMS} dimensions, got ${v.length}`);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/**
 * Best `k` of `count` scores (higher is better), as slot numbers best-first. A bounded min-heap:
 * O(count log k), and no array of all candidates to sort.
 */
function topByScore(count: number, k: number, scoreAt: (i: number) => number, slotAt: (i: number) => number): Int32Array {
  const size = Math.min(k, count);
  const heapScore = new Float64Array(size);
  const heapSlot = new Int32Array(size);
  let n = 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && heapScore[r]! < heapScore[l]! ? r : l;
      if (heapScore[c]! >= heapScore[i]!) return;
      const s = heapScore[i]!;
      heapScore[i] = heapScore[c]!;
      heapScore[c] = s;
      const t = heapSlot[i]!;
      heapSlot[i] = heapSlot[c]!;
      heapSlot[c] = t;
      i = c;
    }
  };
  for (let i = 0; i < count; i++) {
    const s = scoreAt(i);
    if (n < size) {
      let j = n++;
      heapScore[j] = s;
      heapSlot[j] = slotAt(i);
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (heapScore[p]! <= heapScore[j]!) break;
        const ts = heapScore[p]!;
        heapScore[p] = heapScore[j]!;
        heapScore[j] = ts;
        const tt = heapSlot[p]!;
        heapSlot[p] = heapSlot[j]!;
        heapSlot[j] = tt;
        j = p;
      }
    } else if (size > 0 && s > heapScore[0]!) {
      heapScore[0] = s;
      heapSlot[0] = slotAt(i);
      siftDown(0);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => heapScore[b]! - heapScore[a]!);
  return Int32Array.from(order, (i) => heapSlot[i]!);
}

export interface NearestOptions {
  /** Faces farther than this are left out (fewer than k come back). */
  maxDistance?: number;
}

export class FaceIndex {
  private readonly settings: Required<Omit<FaceIndexOptions, 'exactVectorsOf'>>;
  private readonly exactVectorsOf: FaceIndexOptions['exactVectorsOf'];
  /** Fixed at build: the centre of the sign bits and the int8 scale per dimension. */
  private readonly mean: Float32Array;
  private readonly scale: Float32Array;
  private count = 0;
  private ids = new Float64Array(0);
  private codes = new Uint32Array(0);
  private int8 = new Int8Array(0);
  private floats: Float32Array | null = new Float32Array(0);

  private constructor(mean: Float32Array, scale: Float32Array, options: FaceIndexOptions) {
    const { exactVectorsOf, ...rest } = options;
    this.settings = { ...FACE_INDEX_DEFAULTS, ...rest };
    this.exactVectorsOf = exactVectorsOf;
    this.mean = mean;
    this.scale = scale;
  }

  /**
   * An index of the rows. The quantisation centre and int8 scales come from the first
   * CALIBRATION_ROWS rows, so a million-face event streams through without a float copy of all.
   */
  static build(rows: Iterable<FaceIndexRow>, options: FaceIndexOptions = {}): FaceIndex {
    const iterator = rows[Symbol.iterator]();
    const first: FaceIndexRow[] = [];
    let next = iterator.next();
    while (!next.done && first.length < CALIBRATION_ROWS) {
      checkDims(next.value.embedding);
      // Copied: a streaming source may reuse its buffer between rows.
      first.push({ faceId: next.value.faceId, embedding: Float32Array.from(next.value.embedding) });
      next = iterator.next();
    }
    const mean = new Float32Array(FACE_INDEX_DIMS);
    const sum = new Float64Array(FACE_INDEX_DIMS);
    for (const r of first) for (let d = 0; d < FACE_INDEX_DIMS; d++) sum[d]! += r.embedding[d]!;
    if (first.length > 0) for (let d = 0; d < FACE_INDEX_DIMS; d++) mean[d] = sum[d]! / first.length;
    // int8 step per dimension: SCALE_SIGMAS standard deviations of (x - mean) map to +-127, and
    // the rare values beyond clamp. A step from the maximum instead (outliers included) doubled
    // the rounding error; clamping only costs re-rank precision, final distances are exact.
    const variance = new Float64Array(FACE_INDEX_DIMS);
    for (const r of first) for (let d = 0; d < FACE_INDEX_DIMS; d++) variance[d]! += (r.embedding[d]! - mean[d]!) ** 2;
    const scale = Float32Array.from(variance, (v) => {
      const sigma = first.length > 0 ? Math.sqrt(v / first.length) : 0;
      return sigma > 0 ? (SCALE_SIGMAS * sigma) / INT8_MAX : 1 / INT8_MAX;
    });
    const index = new FaceIndex(mean, scale, options);
    index.reserve(first.length);
    for (const r of first) index.append(r.faceId, r.embedding);
    for (; !next.done; next = iterator.next()) {
      checkDims(next.value.embedding);
      if (index.count === index.ids.length) index.reserve(index.count + 1);
      index.append(next.value.faceId, next.value.embedding);
    }
    index.fitCapacity(index.count);
    return index;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held in typed arrays for the faces (capacity included). */
  get memoryBytes(): number {
    return this.ids.byteLength + this.codes.byteLength + this.int8.byteLength + (this.floats?.byteLength ?? 0);
  }

  /** Adds faces; a face id already in the index is replaced. */
  add(rows: readonly FaceIndexRow[]): void {
    for (const r of rows) checkDims(r.embedding);
    this.remove(rows.map((r) => r.faceId));
    this.reserve(this.count + rows.length);
    for (const r of rows) this.append(r.faceId, r.embedding);
  }

  /** Removes faces by id; unknown ids are ignored. One pass over the index, order kept. */
  remove(faceIds: readonly number[]): void {
    if (faceIds.length === 0 || this.count === 0) return;
    const gone = new Set(faceIds);
    // New faces have the highest ids, so a range check skips most slots without a Set lookup.
    let lo = Infinity;
    let hi = -Infinity;
    for (const id of faceIds) {
      lo = Math.min(lo, id);
      hi = Math.max(hi, id);
    }
    let w = 0;
    for (let r = 0; r < this.count; r++) {
      const id = this.ids[r]!;
      if (id >= lo && id <= hi && gone.has(id)) continue;
      if (w !== r) this.moveSlot(r, w);
      w++;
    }
    this.count = w;
  }

  /** The k faces nearest to the query by cosine distance, best first, with exact distances. */
  nearest(query: Float32Array, k: number, options: NearestOptions = {}): IndexedFace[] {
    checkDims(query);
    if (k <= 0 || this.count === 0) return [];
    const maxDistance = options.maxDistance ?? Infinity;
    const floats = this.floats;
    if (floats && this.count <= this.settings.exactScanUpTo) {
      const top = topByScore(
        this.count,
        k,
        (slot) => this.floatDot(floats, slot, query),
        (slot) => slot,
      );
      return this.withExactDistances(top, query, k, maxDistance);
    }
    const s = this.settings;
    const poolSize = Math.min(this.count, Math.max(s.minPool, k * s.poolPerNeighbour, Math.ceil(this.count * s.poolFraction)));
    const pool = this.hammingPool(query, poolSize);
    if (floats) {
      const top = topByScore(
        pool.length,
        k,
        (i) => this.floatDot(floats, pool[i]!, query),
        (i) => pool[i]!,
      );
      return this.withExactDistances(top, query, k, maxDistance);
    }
    // int8 scores are q . (v - mean); adding q . mean gives an approximate dot product.
    const scaled = query.map((x, d) => x * this.scale[d]!);
    let queryDotMean = 0;
    for (let d = 0; d < FACE_INDEX_DIMS; d++) queryDotMean += query[d]! * this.mean[d]!;
    const exactCount = Math.max(s.minExact, Math.ceil(k * s.exactPerNeighbour));
    const top = topByScore(
      pool.length,
      exactCount,
      (i) => this.int8Dot(pool[i]!, scaled),
      (i) => pool[i]!,
    );
    let n = top.length;
    if (maxDistance !== Infinity) {
      // Best first, so the ones worth an exact distance are a prefix.
      n = 0;
      while (n < top.length && 1 - queryDotMean - this.int8Dot(top[n]!, scaled) <= maxDistance + INT8_DISTANCE_MARGIN) n++;
    }
    return this.withExactDistances(top.subarray(0, n), query, k, maxDistance);
  }

  private floatDot(floats: Float32Array, slot: number, q: Float32Array): number {
    let a = 0;
    let b = 0;
    let c = 0;
    let e = 0;
    const o = slot * FACE_INDEX_DIMS;
    for (let d = 0; d < FACE_INDEX_DIMS; d += 4) {
      a += floats[o + d]! * q[d]!;
      b += floats[o + d + 1]! * q[d + 1]!;
      c += floats[o + d + 2]! * q[d + 2]!;
      e += floats[o + d + 3]! * q[d + 3]!;
    }
    return a + b + c + e;
  }

  /** q · (v - mean) up to int8 rounding; q · mean is the same for every face, so it is left out. */
  private int8Dot(slot: number, scaled: Float32Array): number {
    const v = this.int8;
    let a = 0;
    let b = 0;
    let c = 0;
    let e = 0;
    const o = slot * FACE_INDEX_DIMS;
    for (let d = 0; d < FACE_INDEX_DIMS; d += 4) {
      a += v[o + d]! * scaled[d]!;
      b += v[o + d + 1]! * scaled[d + 1]!;
      c += v[o + d + 2]! * scaled[d + 2]!;
      e += v[o + d + 3]! * scaled[d + 3]!;
    }
    return a + b + c + e;
  }

  /**
   * Slots of the `size` faces nearest to the query by hamming distance of the centred sign bits.
   * Distances are 0..128, so a histogram finds the cut-off and no sort is needed.
   */
  private hammingPool(query: Float32Array, size: number): Int32Array {
    const q = new Uint32Array(CODE_WORDS);
    this.signBits(query, q, 0);
    const q0 = q[0]!;
    const q1 = q[1]!;
    const q2 = q[2]!;
    const q3 = q[3]!;
    const codes = this.codes;
    const distances = new Uint8Array(this.count);
    const histogram = new Uint32Array(MAX_HAMMING + 1);
    for (let i = 0; i < this.count; i++) {
      const o = i * CODE_WORDS;
      const dist =
        popcount32(codes[o]! ^ q0) + popcount32(codes[o + 1]! ^ q1) + popcount32(codes[o + 2]! ^ q2) + popcount32(codes[o + 3]! ^ q3);
      distances[i] = dist;
      histogram[dist]!++;
    }
    let cutoff = 0;
    let below = 0;
    while (cutoff < MAX_HAMMING && below + histogram[cutoff]! < size) below += histogram[cutoff++]!;
    let tiesLeft = size - below;
    const pool = new Int32Array(Math.min(size, this.count));
    let n = 0;
    for (let i = 0; i < this.count && n < pool.length; i++) {
      const dist = distances[i]!;
      if (dist < cutoff || (dist === cutoff && tiesLeft-- > 0)) pool[n++] = i;
    }
    return pool.subarray(0, n);
  }

  private withExactDistances(slots: Int32Array, query: Float32Array, k: number, maxDistance: number): IndexedFace[] {
    const out: IndexedFace[] = [];
    const floats = this.floats;
    if (floats) {
      for (const slot of slots) out.push({ faceId: this.ids[slot]!, distance: 1 - this.floatDot(floats, slot, query) });
    } else {
      const ids = Array.from(slots, (slot) => this.ids[slot]!);
      const vectors = this.exactVectorsOf!(ids);
      ids.forEach((faceId, i) => {
        const v = vectors[i];
        if (v) out.push({ faceId, distance: 1 - this.floatDot(v, 0, query) });
      });
    }
    out.sort((a, b) => a.distance - b.distance || a.faceId - b.faceId);
    let n = Math.min(k, out.length);
    while (n > 0 && out[n - 1]!.distance > maxDistance) n--;
    return out.slice(0, n);
  }

  private signBits(v: Float32Array, into: Uint32Array, offset: number): void {
    for (let w = 0; w < CODE_WORDS; w++) {
      let word = 0;
      for (let b = 0; b < 32; b++) {
        const d = w * 32 + b;
        if (v[d]! > this.mean[d]!) word |= 1 << b;
      }
      into[offset + w] = word;
    }
  }

  private reserve(capacity: number): void {
    if (capacity <= this.ids.length) return;
    let next = Math.max(capacity, Math.ceil(this.ids.length * 1.5), 64);
    // Growing past keepFloatsUpTo drops the floats, so only a face count beyond it may do that.
    if (this.ids.length < this.settings.keepFloatsUpTo) next = Math.min(next, Math.max(capacity, this.settings.keepFloatsUpTo));
    this.fitCapacity(next);
  }

  /** Reallocates the arrays for `next` faces (at least the current count). */
  private fitCapacity(next: number): void {
    if (next === this.ids.length) return;
    const grow = <T extends Float64Array | Uint32Array | Int8Array | Float32Array>(old: T, make: (n: number) => T, per: number): T => {
      const fresh = make(next * per);
      fresh.set(old.subarray(0, this.count * per) as never);
      return fresh;
    };
    this.ids = grow(this.ids, (n) => new Float64Array(n), 1);
    this.codes = grow(this.codes, (n) => new Uint32Array(n), CODE_WORDS);
    this.int8 = grow(this.int8, (n) => new Int8Array(n), FACE_INDEX_DIMS);
    // Floats stay only while an exact vector could not be had otherwise or the event is small.
    const keepFloats = !this.exactVectorsOf || next <= this.settings.keepFloatsUpTo;
    this.floats = keepFloats && this.floats ? grow(this.floats, (n) => new Float32Array(n), FACE_INDEX_DIMS) : null;
  }

  private append(faceId: number, v: Float32Array): void {
    const slot = this.count++;
    this.ids[slot] = faceId;
    this.signBits(v, this.codes, slot * CODE_WORDS);
    const o = slot * FACE_INDEX_DIMS;
    for (let d = 0; d < FACE_INDEX_DIMS; d++) {
      const q = Math.round((v[d]! - this.mean[d]!) / this.scale[d]!);
      this.int8[o + d] = q > INT8_MAX ? INT8_MAX : q < -INT8_MAX ? -INT8_MAX : q;
    }
    this.floats?.set(v, o);
  }

  private moveSlot(from: number, to: number): void {
    this.ids[to] = this.ids[from]!;
    this.codes.copyWithin(to * CODE_WORDS, from * CODE_WORDS, (from + 1) * CODE_WORDS);
    this.int8.copyWithin(to * FACE_INDEX_DIMS, from * FACE_INDEX_DIMS, (from + 1) * FACE_INDEX_DIMS);
    this.floats?.copyWithin(to * FACE_INDEX_DIMS, from * FACE_INDEX_DIMS, (from + 1) * FACE_INDEX_DIMS);
  }
}
