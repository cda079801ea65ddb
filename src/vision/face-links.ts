// The link graph of a full re-cluster (which faces are within the link threshold of which) on
// ONNX Runtime's matrix multiply instead of a JavaScript double loop. Every pair is still
// compared, but in blocks of rows against the faces after them, and only the pairs over the
// threshold come back (NonZero), so neither the n x n similarities nor a scan of them ever sits
// in JavaScript. Measured on 2 cores: see test/bench/selfie-search.bench.ts (recluster).
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
/** Only the embedding matters to the link graph; callers pass their own face records. */
interface LinkedFace {
  embedding: Float32Array;
}
import { sessionOptions } from './onnx-sessions.js';

/**
 * Rows per run: the run's similarity block is ROWS x (faces after them) floats, 51 MB at 100k
 * faces, and ONNX Runtime's arena keeps the largest one until the session is released.
 */
const ROWS = 128;

/** similarity = rows · restᵀ; the (row, column) pairs at or over the threshold, as int64 [2, k]. */
async function linksGraph(dims: number): Promise<Uint8Array> {
  // onnx-proto loads only for a re-cluster, not with every command that imports people.ts.
  const { OnnxGraph } = await import('./onnx-graph.js');
  const g = new OnnxGraph('face-links');
  const rows = g.input('rows', ['m', dims]);
  const rest = g.input('rest', ['n', dims]);
  const threshold = g.input('threshold', [1]);
  const similarity = g.op('Gemm', [rows, rest], { transB: 1 });
  const linked = g.op('GreaterOrEqual', [similarity, threshold]);
  g.op('NonZero', [linked], {}, 'pairs');
  g.output('pairs', [2, 'k'], 'int64');
  return g.toBytes();
}

function unitRows(faces: readonly LinkedFace[], dims: number): Float32Array {
  const unit = new Float32Array(faces.length * dims);
  faces.forEach((f, i) => {
    let norm = 0;
    for (const x of f.embedding) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < dims; k++) unit[i * dims + k] = f.embedding[k]! / norm;
  });
  return unit;
}

/** More linked pairs than the caller can hold: the lists would not fit in memory. */
export class TooManyLinksError extends Error {
  override name = 'TooManyLinksError';
  constructor(readonly maxLinks: number) {
    super(`more than ${maxLinks.toLocaleString('en-US')} pairs of faces are within the link distance`);
  }
}

/**
 * Lets another thread end this one between ONNX Runtime calls, never inside one: a worker thread
 * ended while it opened a session, ran or released one aborted the whole process ("terminate
 * called after throwing an instance of 'Napi::Error'": the binding's call into JavaScript fails
 * once the thread is stopping), so quitting during a re-cluster took the engine down.
 */
export interface OrtCallGate {
  /** Before each call: false once the other thread is stopping this one, and the call is not made. */
  enter(): boolean;
  /** After the call, made or failed. */
  leave(): void;
}

/** The gate was closed between two calls: the engine is closing and the thread is about to end. */
export class ComparingStoppedError extends Error {
  override name = 'ComparingStoppedError';
  constructor() {
    super('the grouping was stopped before it finished: the engine is closing');
  }
}

/**
 * The same neighbour lists as face-clustering.ts's linkGraph (indices into `faces`, each list
 * ascending), computed in float32 by ONNX Runtime. Pairs whose similarity is within float32
 * rounding of the threshold may differ from the double-precision loop. Throws TooManyLinksError
 * past `maxLinks` pairs: a few people photographed very many times link nearly every pair of their
 * faces (bench:search's corpus of the sample photos ran the process out of memory at 100k faces).
 * With a `gate`, every ONNX Runtime call goes through it, and a closed gate ends the comparing with
 * ComparingStoppedError.
 */
export async function linkGraphOnnx<F extends LinkedFace>(
  faces: readonly F[],
  linkThreshold: number,
  threads = availableParallelism(),
  options: { maxLinks?: number; gate?: OrtCallGate } = {},
): Promise<number[][]> {
  const maxLinks = options.maxLinks ?? Infinity;
  const { gate } = options;
  const throughGate = async <T>(call: () => Promise<T>): Promise<T> => {
    if (gate && !gate.enter()) throw new ComparingStoppedError();
    try {
      return await call();
    } finally {
      gate?.leave();
    }
  };
  let links = 0;
  const n = faces.length;
  const adjacency = faces.map((): number[] => []);
  if (n < 2) return adjacency;
  const dims = faces[0]!.embedding.length;
  const unit = unitRows(faces, dims);
  const graph = await linksGraph(dims);
  const session = await throughGate(() => ort.InferenceSession.create(graph, sessionOptions('cpu', threads)));
  try {
    const threshold = new ort.Tensor('float32', Float32Array.of(1 - linkThreshold), [1]);
    // Rows in ascending blocks, each against itself and every face after it: each pair once, and
    // each neighbour list filled in ascending order (earlier rows first, then this row's own).
    for (let start = 0; start < n - 1; start += ROWS) {
      const end = Math.min(n, start + ROWS);
      const rows = new ort.Tensor('float32', unit.subarray(start * dims, end * dims), [end - start, dims]);
      const rest = new ort.Tensor('float32', unit.subarray(start * dims), [n - start, dims]);
      const pairs = (await throughGate(() => session.run({ rows, rest, threshold }))).pairs!;
      const found = pairs.data as BigInt64Array;
      const k = pairs.dims[1] ?? 0;
      for (let p = 0; p < k; p++) {
        const i = start + Number(found[p]);
        const j = start + Number(found[k + p]);
        if (j <= i) continue;
        if (++links > maxLinks) throw new TooManyLinksError(maxLinks);
        adjacency[i]!.push(j);
        adjacency[j]!.push(i);
      }
    }
  } finally {
    // Once the gate is closed the session is not released: the thread is about to end, and its
    // end frees the session (as it does a photo worker's models).
    if (!gate || gate.enter()) {
      try {
        await session.release();
      } finally {
        gate?.leave();
      }
    }
  }
  return adjacency;
}
