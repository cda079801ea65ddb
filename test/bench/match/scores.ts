// The figures bench:match reports, as pure functions over distances and sets.

/** Cosine distance of two L2-normalised vectors. */
export function distance(a: Float32Array | number[], b: Float32Array | number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return 1 - dot;
}

export interface Pairs {
  genuine: number[];
  impostor: number[];
}

/** Every same-person and different-person pair among the faces. */
export function pairsOf(faces: readonly { identity: string; embedding: Float32Array }[]): Pairs {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < faces.length; i++)
    for (let j = i + 1; j < faces.length; j++)
      (faces[i]!.identity === faces[j]!.identity ? genuine : impostor).push(distance(faces[i]!.embedding, faces[j]!.embedding));
  genuine.sort((a, b) => a - b);
  impostor.sort((a, b) => a - b);
  return { genuine, impostor };
}

/** Values ≤ t in an ascending list. */
export function countAtMost(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Rates {
  threshold: number;
  /** Same-person pairs accepted (true accept rate). */
  tar: number;
  /** Different-person pairs accepted (false match rate). */
  fmr: number;
  /** LFW-style pair accuracy: the mean of the accept rate on same-person pairs and the reject rate on different-person pairs (equal numbers of each). */
  accuracy: number;
}

export function ratesAt(p: Pairs, threshold: number): Rates {
  const tar = countAtMost(p.genuine, threshold) / p.genuine.length;
  const fmr = countAtMost(p.impostor, threshold) / p.impostor.length;
  return { threshold, tar, fmr, accuracy: (tar + 1 - fmr) / 2 };
}

/** The threshold (on a 0.0005 grid) with the best pair accuracy, i.e. the least FMR + FNMR. */
export function bestAccuracy(p: Pairs, to = 1.2, step = 0.0005): Rates {
  let best = ratesAt(p, 0);
  for (let t = step; t <= to; t += step) {
    const r = ratesAt(p, Math.round(t * 10_000) / 10_000);
    if (r.accuracy > best.accuracy) best = r;
  }
  return best;
}

/** The largest threshold whose false match rate stays at or below `fmr`, and the accept rate there. */
export function atFalseMatchRate(p: Pairs, fmr: number): Rates {
  const allowed = Math.floor(fmr * p.impostor.length);
  // Just under the (allowed+1)-th smallest impostor distance.
  const t = allowed < p.impostor.length ? p.impostor[allowed]! - 1e-9 : 2;
  return ratesAt(p, t);
}

/** ROC points for a plot: FMR on a log grid from 1e-5 to 1. */
export function roc(p: Pairs): { fmr: number; tar: number; threshold: number }[] {
  const out = [];
  for (let e = -5; e <= 0; e += 0.125) {
    const r = atFalseMatchRate(p, 10 ** e);
    out.push({ fmr: 10 ** e, tar: r.tar, threshold: r.threshold });
  }
  return out;
}

export interface Retrieval {
  precision: number;
  recall: number;
  truePhotos: number;
  found: number;
  wrong: number;
}

/** Photo-level precision and recall over all selfies together (micro-averaged). */
export function retrieval(cases: readonly { truth: ReadonlySet<string>; found: readonly string[] }[]): Retrieval {
  let truePhotos = 0;
  let found = 0;
  let right = 0;
  for (const c of cases) {
    truePhotos += c.truth.size;
    found += c.found.length;
    right += c.found.filter((f) => c.truth.has(f)).length;
  }
  return { precision: found ? right / found : 1, recall: truePhotos ? right / truePhotos : 1, truePhotos, found, wrong: found - right };
}

/**
 * BCubed precision, recall and F of a clustering against the truth (Amigó et al. 2009): for
 * each item, the share of its cluster that is its class and of its class that is in its cluster.
 */
export function bcubed(items: readonly { cluster: string; truth: string }[]): {
  precision: number;
  recall: number;
  f: number;
  clustersPerIdentity: number;
} {
  const clusterSize = new Map<string, number>();
  const classSize = new Map<string, number>();
  const both = new Map<string, number>();
  for (const it of items) {
    clusterSize.set(it.cluster, (clusterSize.get(it.cluster) ?? 0) + 1);
    classSize.set(it.truth, (classSize.get(it.truth) ?? 0) + 1);
    const k = `${it.cluster}\u0000${it.truth}`;
    both.set(k, (both.get(k) ?? 0) + 1);
  }
  let p = 0;
  let r = 0;
  for (const it of items) {
    const n = both.get(`${it.cluster}\u0000${it.truth}`)!;
    p += n / clusterSize.get(it.cluster)!;
    r += n / classSize.get(it.truth)!;
  }
  p /= items.length || 1;
  r /= items.length || 1;
  const clustersOf = new Map<string, Set<string>>();
  for (const it of items) clustersOf.set(it.truth, (clustersOf.get(it.truth) ?? new Set()).add(it.cluster));
  const clustersPerIdentity = [...clustersOf.values()].reduce((s, c) => s + c.size, 0) / (clustersOf.size || 1);
  return { precision: p, recall: r, f: p + r ? (2 * p * r) / (p + r) : 0, clustersPerIdentity };
}
