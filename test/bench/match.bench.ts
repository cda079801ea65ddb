// Match quality on real people (`npm run bench:match`): does a selfie find every photo of its
// person, and only theirs? Measured on a labelled set of real, different photos per person
// (../shared/datasets/face-identities, or --data DIR), never on copies of one photo. Reports,
// asserts nothing; every figure next to the previous release's configuration, in one run.
//
//   npm run bench:match                       portraits + a 10k-face event (~20-30 min on 2 cores)
//   npm run bench:match -- --photos 60        a quicker, smaller event
//   npm run bench:match -- --skip-event       verification and calibration only
//
// Identities are split in two by a hash of the name: thresholds are calibrated on one half and
// every figure is reported on the other (people the calibration never saw).
// 1. Portraits: every photo analysed as `shutterfind faces` does; a face found or not; the
//    held-out pairs give ROC, pair accuracy at the shipped threshold and at the best one, and the
//    accept rate (TAR) at 0.1% and 1% false matches.
// 2. Event: photos composed at camera size (6000x4000) from the held-out people's portraits,
//    faces 60-400 px, every held-out person in it (the others are their distractors), each
//    portrait repeated across the event; ingested by the real engine; each person's selfie is a
//    portrait that is in no event photo, answered by the kiosk's own search path (person
//    expansion, "maybe" tier); photo-level precision and recall at the event's full size and at
//    smaller prefixes of it. People: BCubed of the persons the engine built, live and re-clustered.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import sharp from 'sharp';
import {
  DEFAULT_DETECT_OPTIONS,
  DLIB_CALIBRATED_DESCRIPTOR,
  FACEPLUGIN_DESCRIPTOR,
  FACEPLUGIN_MODEL_ID,
  FaceEngine,
  JOINED_DESCRIPTOR,
  JOINED_MODEL_ID,
  encodeProjectionMatrix,
  LEGACY_DESCRIPTOR,
  loadMatchThreshold,
  type MatchThreshold,
} from '../../src/vision/index.js';
import { analyseImage } from '../../src/photo/index.js';
import { composeEvent, type ComposedEvent } from './match/event-photos.js';
import { findFaceIdentities, loadFaceIdentities, splitOf, type Portrait } from './match/face-identities.js';
import { clusterGraph } from '../../src/people/face-clustering.js';
import { groupByAverageDistance } from '../../src/vision/average-distance-grouping.js';
import { peopleAtScale } from './match/people-at-scale.js';
import { calibratePersonThreshold } from './match/person-threshold.js';
import { atFalseMatchRate, bcubed, bestAccuracy, distance, pairsOf, ratesAt, retrieval, roc, type Pairs } from './match/scores.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RESULTS_DIR = join(REPO_ROOT, 'test', 'bench', 'results');
const CACHE_DIR = join(REPO_ROOT, 'test', 'bench', '.cache', 'match');

const { values: args } = parseArgs({
  options: {
    data: { type: 'string' },
    photos: { type: 'string', default: '400' },
    'people-per-photo': { type: 'string', default: '25' },
    subsets: { type: 'string', default: '40' },
    'skip-event': { type: 'boolean', default: false },
    'skip-legacy': { type: 'boolean', default: false },
    /** Write the thresholds calibrated on the calibration half into models/face/match-threshold.json. */
    write: { type: 'boolean', default: false },
    /** Keep the ingested events of an earlier run (same photos) and only search and score again. */
    reuse: { type: 'boolean', default: false },
    /** Fit the shipped configuration's descriptor projection on the calibration half and write it (then re-run to calibrate). */
    'fit-projection': { type: 'boolean', default: false },
    seed: { type: 'string', default: '18' },
    /** Faces of the held-out people turned into an event of this size for the re-cluster (0: skip). */
    'people-at-scale': { type: 'string', default: '100000' },
  },
});
const log = (line: string) => process.stdout.write(`${line}\n`);
const MACHINE = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length };
mkdirSync(CACHE_DIR, { recursive: true });
mkdirSync(RESULTS_DIR, { recursive: true });

/**
 * A configuration from before the whole-event re-cluster by average distance: its groupThreshold
 * is calibrated by this run, on the calibration half, the same way as the shipped one's.
 */
type EarlierConfiguration = Omit<MatchThreshold, 'groupThreshold' | 'personThreshold'>;
/** The configuration Shutterfind shipped before this calibration: face-api's chip, one threshold from augmented copies of one photo. */
const PREVIOUS: EarlierConfiguration = {
  model: 'face-api-resnet34-128d',
  metric: 'cosine',
  descriptor: LEGACY_DESCRIPTOR,
  threshold: 0.041,
  searchThreshold: 0.041,
  maybeThreshold: 0.041,
  clusterThreshold: 0.041 * (0.5 / 0.6) ** 2,
  method: 'previous release: minimum FMR+FNMR on augmented copies of the six face-api samples',
};
/** Before the faceplugin network: dlib's net on its own chip with the mirrored chip averaged in, thresholds calibrated by this bench (2026-12-05). */
const DLIB_CALIBRATED: EarlierConfiguration = {
  model: 'face-api-resnet34-128d',
  metric: 'cosine',
  descriptor: DLIB_CALIBRATED_DESCRIPTOR,
  threshold: 0.085,
  searchThreshold: 0.0465,
  maybeThreshold: 0.0705,
  clusterThreshold: 0.0525,
  method: 'dlib, calibrated: bench:match calibration of dlib descriptors (see match-2026-12-05T0131Z.json)',
};
/**
 * The faceplugin network alone, projected to 128 numbers: the shipped configuration from 2026-12-05
 * until MobileFaceNet joined it (2026-12-07), as calibrated then (match-2026-12-06T2358Z.json).
 */
const FACEPLUGIN_CALIBRATED: EarlierConfiguration = {
  model: FACEPLUGIN_MODEL_ID,
  metric: 'cosine',
  descriptor: FACEPLUGIN_DESCRIPTOR,
  threshold: 0.7275,
  searchThreshold: 0.5129,
  maybeThreshold: 0.6523,
  clusterThreshold: 0.4948,
  sureAtScale: { referenceFaces: 10000, distancePerDecade: 0.0697 },
  method:
    'faceplugin alone, calibrated: bench:match calibration of the faceplugin network projected to 128 numbers (see match-2026-12-06T2358Z.json)',
};
/**
 * Both networks joined on chips aligned on the 68 landmarks' five points: the shipped configuration
 * from 2026-12-07 until O-Net placed the points, as calibrated then (match-2026-12-07T0206Z.json).
 */
const JOINED_CALIBRATED: EarlierConfiguration = {
  model: JOINED_MODEL_ID,
  metric: 'cosine',
  descriptor: JOINED_DESCRIPTOR,
  threshold: 0.67,
  searchThreshold: 0.4556,
  maybeThreshold: 0.6091,
  clusterThreshold: 0.415,
  sureAtScale: { referenceFaces: 10000, distancePerDecade: 0.0767 },
  method: 'both networks joined on the 68 landmarks five points, calibrated: bench:match calibration (see match-2026-12-07T0206Z.json)',
};
const current = loadMatchThreshold();
const fitting = args['fit-projection'];
/**
 * Until calibrated below, the earlier configurations' groupThreshold and personThreshold are NaN
 * (never used before then). Each configuration is also answered without the person-centre rule.
 */
const EARLIER = { groupThreshold: Number.NaN, personThreshold: Number.NaN };
// Fitting the projection needs only the shipped network's own descriptors. Since O-Net places the
// chip's points, the run compares with the configuration shipped just before (dlib's and the
// faceplugin network's columns are in the runs that shipped them: each configuration is an event
// ingested once more).
const onetShipped = current.descriptor.alignment === 'five-point-onet';
const configs: { name: string; config: MatchThreshold }[] = [
  ...(args['skip-legacy'] || fitting ? [] : [{ name: 'previous', config: { ...PREVIOUS, ...EARLIER } }]),
  ...(current.descriptor.network === 'dlib-resnet' || fitting || onetShipped
    ? []
    : [{ name: 'dlib', config: { ...DLIB_CALIBRATED, ...EARLIER } }]),
  ...(current.descriptor.network !== 'faceplugin-512+mobilefacenet-192' || fitting || onetShipped
    ? []
    : [{ name: 'faceplugin', config: { ...FACEPLUGIN_CALIBRATED, ...EARLIER } }]),
  ...(onetShipped && !fitting ? [{ name: 'joined', config: { ...JOINED_CALIBRATED, ...EARLIER } }] : []),
  { name: 'shipped', config: current },
];

// ---------------------------------------------------------------------------------------------
// 1. Portraits

interface PortraitResult {
  path: string;
  identity: string;
  /** Detection score of the labelled (most central) face; null when none was found. */
  score: number | null;
  embeddings: Record<string, number[]>;
}

const dataDir = findFaceIdentities(REPO_ROOT, args.data);
const set = loadFaceIdentities(dataDir);
log(`Data set: ${set.portraits.length} portraits of ${new Set(set.portraits.map((p) => p.identity)).size} people in ${dataDir}`);

/** The face the data set is labelled for: the one nearest the centre of the portrait. */
function central<T extends { box: { x: number; y: number; width: number; height: number } }>(
  faces: readonly T[],
  w: number,
  h: number,
): T | undefined {
  const off = (f: T) => Math.hypot(f.box.x + f.box.width / 2 - w / 2, f.box.y + f.box.height / 2 - h / 2);
  const inside = faces.filter((f) => off(f) < Math.min(w, h) / 4);
  return inside.sort((a, b) => off(a) - off(b))[0];
}

async function analysePortraits(portraits: readonly Portrait[]): Promise<PortraitResult[]> {
  const key = JSON.stringify([
    portraits.length,
    current.descriptor,
    DEFAULT_DETECT_OPTIONS.minScore,
    configs.length,
    args['fit-projection'],
  ]);
  // The whole configuration in the name (a prefix of it once named two runs alike), and the projection's bytes: a refit is another run.
  const projectionFile = current.descriptor.projection ? join(REPO_ROOT, 'models', 'face', current.descriptor.projection) : null;
  const projection = projectionFile && existsSync(projectionFile) ? readFileSync(projectionFile) : '';
  const cache = join(CACHE_DIR, `portraits-${createHash('sha256').update(key).update(projection).digest('hex').slice(0, 24)}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as PortraitResult[];
  // One detection and landmark pass (the app's own, as `shutterfind faces` runs it), then each
  // configuration's descriptor of that face. The previous release found a face only at score ≥ 0.5.
  // When fitting the projection (--fit-projection), the shipped engine gives the network's own
  // descriptors, before any projection (the file to fit need not exist yet).
  const engines = new Map<string, FaceEngine>();
  for (const c of configs) {
    const descriptor = fitting && c.name === 'shipped' ? { ...c.config.descriptor, projection: undefined } : c.config.descriptor;
    engines.set(c.name, await FaceEngine.open({ provider: 'cpu', threads: 2, descriptor }));
  }
  const main = engines.get('shipped')!;
  const out: PortraitResult[] = [];
  const started = performance.now();
  for (const [i, p] of portraits.entries()) {
    const analysed = await analyseImage(main, p.file, DEFAULT_DETECT_OPTIONS);
    const face = central(analysed.faces, analysed.width, analysed.height);
    const result: PortraitResult = { path: p.path, identity: p.identity, score: face?.score ?? null, embeddings: {} };
    if (face) {
      result.embeddings[fitting ? 'unprojected' : 'shipped'] = Array.from(face.embedding);
      const { data, info } = await sharp(p.file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const image = { data: new Uint8Array(data), width: info.width, height: info.height, scale: 1, offsetX: 0, offsetY: 0 };
      for (const c of configs) {
        if (c.name === 'shipped') continue;
        const { embeddings } = await engines.get(c.name)!.describe([image], [face.landmarks]);
        result.embeddings[c.name] = Array.from(embeddings[0]!);
      }
    }
    out.push(result);
    if ((i + 1) % 250 === 0)
      log(`  analysed ${i + 1} of ${portraits.length} portraits (${((performance.now() - started) / (i + 1)).toFixed(0)} ms each)`);
  }
  for (const e of engines.values()) await e.release();
  writeFileSync(cache, JSON.stringify(out));
  return out;
}

const portraits = await analysePortraits(set.portraits);

if (fitting) {
  // The principal axes of the calibration half's descriptors (L2-normalised, flip-averaged as the
  // engine makes them), the first 128 as the rows of the projection. Applied without centring:
  // on held-out pairs that kept 0.905 of genuine pairs at FMR 1e-5 against 0.898 centred for the
  // faceplugin network alone, and 0.946 against 0.947 (two pairs) for it joined with MobileFaceNet.
  const file = current.descriptor.projection;
  if (!file) throw new Error('The shipped configuration has no descriptor projection to fit.');
  const rows = portraits.filter(
    (p) =>
      splitOf(p.identity) === 'calibration' && p.score !== null && p.score >= DEFAULT_DETECT_OPTIONS.minScore && p.embeddings.unprojected,
  );
  const x = new Matrix(rows.map((p) => p.embeddings.unprojected!));
  const centred = x.clone().subRowVector(x.mean('column'));
  const covariance = centred
    .transpose()
    .mmul(centred)
    .div(rows.length - 1);
  const eig = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
  const order = eig.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const to = 128;
  const from = x.columns;
  const matrix = new Float32Array(to * from);
  order.slice(0, to).forEach(([, col], r) => {
    for (let c = 0; c < from; c++) matrix[r * from + c] = eig.eigenvectorMatrix.get(c, col);
  });
  const total = order.reduce((s, [v]) => s + v, 0);
  const kept = order.slice(0, to).reduce((s, [v]) => s + v, 0);
  writeFileSync(
    join(REPO_ROOT, 'models', 'face', file),
    `${JSON.stringify(
      {
        network: current.descriptor.network,
        from,
        to,
        matrix: encodeProjectionMatrix(matrix),
        method: `bench:match --fit-projection: the ${to} principal axes (largest variance first) of the descriptors of the calibration half's portraits as the network gives them (each network's L2-normalised and flip-averaged, several joined with equal weight); applied without centring, then L2-normalised`,
        provenance: {
          dataSet: 'face-identities (LFW deep-funneled subset; evaluation data, not shipped: only these axes are)',
          split: 'sha1(identity)[0] % 2 == 0: calibration (fitted here); odd: held-out (never seen)',
          faces: rows.length,
          varianceKept: kept / total,
          date: new Date().toISOString().slice(0, 10),
        },
      },
      null,
      1,
    )}\n`,
  );
  log(
    `Wrote models/face/${file}: ${to} of ${from} axes from ${rows.length} calibration faces (${((kept / total) * 100).toFixed(1)}% of the variance); run the bench again to calibrate on it.`,
  );
  process.exit(0);
}

/** Whether the previous release's detector (no zoomed-out look) finds the labelled face. */
async function previousDetection(): Promise<Set<string>> {
  const cache = join(CACHE_DIR, `previous-detection-${set.portraits.length}.json`);
  if (existsSync(cache)) return new Set(JSON.parse(readFileSync(cache, 'utf8')) as string[]);
  const engine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
  const found: string[] = [];
  for (const p of set.portraits) {
    const { data, info } = await sharp(p.file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const boxes = await engine.detect(
      { data: new Uint8Array(data), width: info.width, height: info.height },
      { ...DEFAULT_DETECT_OPTIONS, minScore: 0.5, zoomOutWhenEmpty: false },
    );
    if (
      central(
        boxes.map((b) => ({ box: b })),
        info.width,
        info.height,
      )
    )
      found.push(p.path);
  }
  await engine.release();
  writeFileSync(cache, JSON.stringify(found));
  return new Set(found);
}
const foundBefore = await previousDetection();
const detectedBy = (name: string, p: PortraitResult) =>
  p.score !== null && (name === 'previous' ? foundBefore.has(p.path) : p.score >= DEFAULT_DETECT_OPTIONS.minScore);

function facesFor(name: string, split: 'calibration' | 'held-out') {
  return portraits.flatMap((p) =>
    splitOf(p.identity) === split && detectedBy(name, p) && p.embeddings[name]
      ? [{ identity: p.identity, embedding: Float32Array.from(p.embeddings[name]!) }]
      : [],
  );
}

const verification: Record<string, unknown> = {};
const pairsByConfig = new Map<string, { calibration: Pairs; heldOut: Pairs }>();
for (const { name, config } of configs) {
  const calibration = pairsOf(facesFor(name, 'calibration'));
  const heldOut = pairsOf(facesFor(name, 'held-out'));
  pairsByConfig.set(name, { calibration, heldOut });
  const found = portraits.filter((p) => detectedBy(name, p)).length;
  const best = bestAccuracy(heldOut);
  const calibratedBest = bestAccuracy(calibration);
  verification[name] = {
    facesFound: { found, of: portraits.length, rate: found / portraits.length },
    heldOutPairs: { genuine: heldOut.genuine.length, impostor: heldOut.impostor.length },
    atShippedThreshold: ratesAt(heldOut, config.threshold),
    atSearchThreshold: ratesAt(heldOut, config.searchThreshold),
    atMaybeThreshold: ratesAt(heldOut, config.maybeThreshold),
    atClusterThreshold: ratesAt(heldOut, config.clusterThreshold),
    bestThresholdOnHeldOut: best,
    bestThresholdOnCalibration: { ...calibratedBest, heldOut: ratesAt(heldOut, calibratedBest.threshold) },
    tarAtFmr: {
      '1e-2': atFalseMatchRate(heldOut, 1e-2),
      '1e-3': atFalseMatchRate(heldOut, 1e-3),
      '1e-4': atFalseMatchRate(heldOut, 1e-4),
      '1e-5': atFalseMatchRate(heldOut, 1e-5),
    },
    calibrationTarAtFmr: {
      '1e-3': atFalseMatchRate(calibration, 1e-3),
      '1e-4': atFalseMatchRate(calibration, 1e-4),
      '1e-5': atFalseMatchRate(calibration, 1e-5),
    },
    roc: roc(heldOut),
  };
  const v = verification[name] as {
    atShippedThreshold: { accuracy: number; tar: number; fmr: number };
    tarAtFmr: Record<string, { tar: number }>;
  };
  log(
    `${name}: faces found ${found}/${portraits.length}; held-out pair accuracy ${v.atShippedThreshold.accuracy.toFixed(4)} at ${config.threshold} ` +
      `(best ${best.accuracy.toFixed(4)} at ${best.threshold}); TAR ${v.tarAtFmr['1e-3']!.tar.toFixed(3)} at FMR 0.1%, ${v.tarAtFmr['1e-2']!.tar.toFixed(3)} at 1%`,
  );
}

// ---------------------------------------------------------------------------------------------
// Calibration, on the calibration half only (the held-out people above never take part).

/** Kiosk search compares a selfie with every face of an event: 1 false match in 100,000 pairs is ~1 wrong face per 100k faces. */
const SEARCH_FMR = 1e-5;
/** Copies of each calibration portrait when calibrating the person link (see calibrate). */
const CLUSTER_REPEATS = 3;
/** "Maybe you?" may be wrong more often: the attendee decides. */
const MAYBE_FMR = 1e-3;
/** A selfie's expected false faces the sure distance keeps in larger events: SEARCH_FMR's at 10,000 faces. */
const SURE_FALSE_FACES_PER_SELFIE = 0.1;
/** The re-cluster's distance merges no two calibration people: BCubed precision at least this. */
const GROUP_MIN_PRECISION = 0.999;

function calibrate(name: string) {
  const { calibration } = pairsByConfig.get(name)!;
  const faces = facesFor(name, 'calibration');
  // Persons: the link threshold with the best BCubed F when the calibration people's faces are
  // grouped by the engine's own rule (clusterGraph). Each portrait is taken CLUSTER_REPEATS times,
  // as a guest is photographed many times in an event: one false link between two people's
  // photos then repeats with every copy, which singletons would not show (on bench:match's event,
  // singletons chose 0.055 where the event's own best was 0.05).
  const copies = faces.flatMap((f, i) =>
    Array.from({ length: CLUSTER_REPEATS }, (_, r) => ({
      faceId: i * CLUSTER_REPEATS + r + 1,
      photoId: i * CLUSTER_REPEATS + r + 1,
      face: f,
    })),
  );
  // The link is looked for between the search threshold's neighbourhood and the pair threshold,
  // in 25 steps: the scale of distances is the network's (dlib's 0.03-0.09 in 0.0025 steps).
  const pairThreshold = bestAccuracy(calibration).threshold;
  const low = atFalseMatchRate(calibration, SEARCH_FMR).threshold * 0.65;
  const step = (pairThreshold * 1.05 - low) / 24;
  const near: [number, number, number][] = [];
  for (let i = 0; i < faces.length; i++)
    for (let j = i; j < faces.length; j++) {
      const d = i === j ? 0 : distance(faces[i]!.embedding, faces[j]!.embedding);
      if (d <= pairThreshold * 1.05) near.push([i, j, d]);
    }
  type BestF = { threshold: number; f: number; precision: number; recall: number; personsPerPerson: number };
  /** The better of the best so far and the grouping at `t` scored `b` (the first of equal F stays). */
  const better = (best: BestF, t: number, b: ReturnType<typeof bcubed>): BestF =>
    b.f > best.f
      ? {
          threshold: Math.round(t * 10_000) / 10_000,
          f: b.f,
          precision: b.precision,
          recall: b.recall,
          personsPerPerson: b.clustersPerIdentity,
        }
      : best;
  let bestCluster: BestF = { threshold: 0, f: -1, precision: 0, recall: 0, personsPerPerson: 0 };
  // The re-cluster's mean distance: the calibration people's faces grouped by the engine's own
  // average linkage, each portrait once (average linkage gives the same means with copies), in 41
  // steps between the search threshold and the pair threshold's neighbourhood. The best BCubed F
  // among the distances that merge no two calibration people (BCubed precision ≥ 0.999): a merged
  // person puts a stranger's photos in a guest's folder of an export and lets them vouch in her
  // selfie search, while a split only makes two persons of her. The faceplugin network's best F was
  // already there (0.6196, precision 1); with MobileFaceNet joined the best F overall (0.5858,
  // precision 0.989) merged three pairs of calibration people (2026-12-07).
  const groupHigh = pairThreshold * 1.05;
  const groupLow = atFalseMatchRate(calibration, SEARCH_FMR).threshold;
  let bestGroup: BestF = { threshold: 0, f: -1, precision: 0, recall: 0, personsPerPerson: 0 };
  const singles = faces.map((f, i) => ({ faceId: i + 1, photoId: i + 1, embedding: f.embedding }));
  for (let k = 0; k <= 40; k++) {
    const t = groupLow + (k * (groupHigh - groupLow)) / 40;
    const adjacency = singles.map((): number[] => []);
    for (const [i, j, d] of near)
      if (i !== j && d <= t) {
        adjacency[i]!.push(j);
        adjacency[j]!.push(i);
      }
    const persons = groupByAverageDistance(singles, adjacency, t);
    const scored = bcubed(persons.flatMap((c, k) => c.map((id) => ({ cluster: String(k), truth: faces[id - 1]!.identity }))));
    if (scored.precision >= GROUP_MIN_PRECISION) bestGroup = better(bestGroup, t, scored);
  }
  if (bestGroup.f < 0) throw new Error(`No re-cluster distance keeps BCubed precision ${GROUP_MIN_PRECISION} on the calibration half.`);
  for (let k = 0; k <= 24; k++) {
    const t = low + k * step;
    const adjacency = copies.map((): number[] => []);
    for (const [i, j, d] of near) {
      if (d > t) continue;
      for (let a = 0; a < CLUSTER_REPEATS; a++)
        for (let b = 0; b < CLUSTER_REPEATS; b++) {
          const x = i * CLUSTER_REPEATS + a;
          const y = j * CLUSTER_REPEATS + b;
          if (x < y) {
            adjacency[x]!.push(y);
            adjacency[y]!.push(x);
          }
        }
    }
    const clusters = clusterGraph(copies, adjacency);
    const items = clusters.flatMap((c, k) => c.map((id) => ({ cluster: String(k), truth: copies[id - 1]!.face.identity })));
    bestCluster = better(bestCluster, t, bcubed(items));
  }
  const round4 = (x: number) => Math.floor(x * 10_000) / 10_000;
  const pair = bestAccuracy(calibration);
  // A person vouches for its photos in a selfie search when its centre is this close to the
  // expanded selfie: searched as the kiosk does among the calibration portraits (person-threshold.ts).
  const person = calibratePersonThreshold(faces, round4(atFalseMatchRate(calibration, SEARCH_FMR).threshold), bestGroup.threshold);
  return {
    threshold: pair.threshold,
    searchThreshold: round4(atFalseMatchRate(calibration, SEARCH_FMR).threshold),
    maybeThreshold: round4(atFalseMatchRate(calibration, MAYBE_FMR).threshold),
    clusterThreshold: bestCluster.threshold,
    groupThreshold: bestGroup.threshold,
    personThreshold: person.threshold,
    // Past this many faces the sure distance tightens by the distance a decade of false-match rate
    // spans between the sure and maybe distances, keeping a selfie's expected false faces (sure-distance.ts).
    sureAtScale: {
      referenceFaces: Math.round(SURE_FALSE_FACES_PER_SELFIE / SEARCH_FMR),
      distancePerDecade: round4(
        (atFalseMatchRate(calibration, MAYBE_FMR).threshold - atFalseMatchRate(calibration, SEARCH_FMR).threshold) /
          Math.log10(MAYBE_FMR / SEARCH_FMR),
      ),
    },
    evidence: {
      pairs: { genuine: calibration.genuine.length, impostor: calibration.impostor.length },
      threshold: pair,
      searchThreshold: atFalseMatchRate(calibration, SEARCH_FMR),
      maybeThreshold: atFalseMatchRate(calibration, MAYBE_FMR),
      clusterThreshold: bestCluster,
      groupThreshold: bestGroup,
      personThreshold: person,
    },
  };
}
const calibrated = calibrate('shipped');
log(
  `Calibrated on ${calibrated.evidence.pairs.genuine} same-person and ${calibrated.evidence.pairs.impostor} different-person pairs: threshold ${calibrated.threshold}, search ${calibrated.searchThreshold}, maybe ${calibrated.maybeThreshold}, cluster ${calibrated.clusterThreshold} (BCubed F ${calibrated.evidence.clusterThreshold.f.toFixed(3)}), group ${calibrated.groupThreshold} (BCubed F ${calibrated.evidence.groupThreshold.f.toFixed(3)}), person centre ${calibrated.personThreshold} (own persons up to ${calibrated.evidence.personThreshold.own.farthest.toFixed(3)}, nearest stranger ${calibrated.evidence.personThreshold.strangers.nearest?.toFixed(3) ?? 'none'})`,
);
for (const c of configs)
  if (Number.isNaN(c.config.groupThreshold)) {
    const { groupThreshold, personThreshold } = calibrate(c.name);
    c.config = { ...c.config, groupThreshold, personThreshold };
    log(`  ${c.name}: re-cluster group distance and person centre calibrated the same way: ${groupThreshold}, ${personThreshold}`);
  }
if (args.write) {
  const file = join(REPO_ROOT, 'models', 'face', 'match-threshold.json');
  const written: MatchThreshold = {
    model: current.model,
    metric: 'cosine',
    descriptor: current.descriptor,
    threshold: calibrated.threshold,
    searchThreshold: calibrated.searchThreshold,
    maybeThreshold: calibrated.maybeThreshold,
    clusterThreshold: calibrated.clusterThreshold,
    groupThreshold: calibrated.groupThreshold,
    personThreshold: calibrated.personThreshold,
    sureAtScale: calibrated.sureAtScale,
    method:
      'bench:match on real, different photos of each person, calibration half of an identity-disjoint split: threshold = least FMR+FNMR (pair decision); ' +
      `searchThreshold = FMR ${SEARCH_FMR}; maybeThreshold = FMR ${MAYBE_FMR}; clusterThreshold = best BCubed F of the live clustering rule; groupThreshold = best BCubed F of the re-cluster's average linkage among the distances with BCubed precision >= ${GROUP_MIN_PRECISION}; personThreshold = halfway between the farthest of a calibration selfie's own persons and the nearest stranger's person its sure matches touched (persons mixing hers and a stranger's faces reported apart). ` +
      `sureAtScale: referenceFaces = ${SURE_FALSE_FACES_PER_SELFIE} expected false faces per selfie at the searchThreshold's FMR; distancePerDecade = (maybeThreshold - searchThreshold) / log10(FMR ratio) on the calibration pairs. See docs/engineering/match-calibration.md.`,
    provenance: {
      dataSet: 'face-identities (LFW deep-funneled subset, 606 people, 2,808 photos; evaluation data, not shipped)',
      split: 'sha1(identity)[0] % 2 == 0: calibration; odd: held-out (reported only)',
      measuredOn: MACHINE,
      date: new Date().toISOString().slice(0, 10),
      ...calibrated.evidence,
    },
  };
  writeFileSync(file, `${JSON.stringify(written, null, 2)}\n`);
  log(`Wrote ${file}: re-run the bench to measure the held-out figures at the new values.`);
}

// ---------------------------------------------------------------------------------------------
// 2. Event

const stamp = new Date()
  .toISOString()
  .replace(/:\d\d\.\d+Z$/, 'Z')
  .replace(/:/g, '');
let event: Record<string, unknown> | undefined;
if (!args['skip-event']) event = await measureEvent();

async function runChild(config: MatchThreshold, name: string, composed: ComposedEvent, photosDir: string): Promise<EventRun> {
  const configFile = join(CACHE_DIR, `config-${name}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const dataDir = join(CACHE_DIR, `data-${name}-${composed.photos.length}`);
  if (!args.reuse) await rm(dataDir, { recursive: true, force: true });
  const selfies = join(CACHE_DIR, 'selfies.json');
  writeFileSync(selfies, JSON.stringify(composed.selfies));
  // Which photos each person is in, for the attendee who taps in the "Maybe you?" photos she is in.
  const truth = join(CACHE_DIR, 'truth.json');
  const photosOf: Record<string, string[]> = {};
  for (const p of composed.photos) for (const t of p.people) (photosOf[t.identity] ??= []).push(p.name);
  writeFileSync(truth, JSON.stringify(photosOf));
  const out = join(CACHE_DIR, `run-${name}.json`);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'test', 'bench', 'match', 'event-run.ts'),
      '--photos',
      photosDir,
      '--data-dir',
      dataDir,
      '--selfies',
      selfies,
      '--out',
      out,
      '--subsets',
      args.subsets,
      '--truth',
      truth,
      ...(args.reuse ? ['--reuse'] : []),
    ],
    { stdio: 'inherit', env: { ...process.env, SHUTTERFIND_MATCH_CONFIG: configFile } },
  );
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`The ${name} configuration's event run failed (exit ${code}).`);
  return JSON.parse(readFileSync(out, 'utf8')) as EventRun;
}

interface EventRun {
  ingestMs: number;
  cpuMs: number;
  photos: number;
  failed: unknown[];
  faces: {
    faceId: number;
    photo: string;
    box: [number, number, number, number];
    score: number;
    sizePx: number | null;
    livePerson: number | null;
    recluster: number | null;
    embedding?: number[] | null;
  }[];
  answers: {
    identity: string;
    refused?: string;
    sure?: string[];
    maybe?: string[];
    /** After the attendee tapped in the "Maybe you?" photos she is in: what the kiosk searched again. */
    afterTaps?: { tapped: string[]; sure: string[]; maybe: string[] };
    /** The same search without the person-centre rule (personThreshold), as before it. */
    withoutCentres?: { sure: string[]; maybe: string[] };
    /** The same search with the persons taken as grouped, not grouped again at search (as before that). */
    withoutRegroup?: { sure: string[]; maybe: string[] };
    /** The same search grouping again only the persons the sure matches touched (before pieces of her and their neighbours were read). */
    withoutPieces?: { sure: string[]; maybe: string[] };
    /** The same search as if the event held 100k faces: the sure distance tightened as the kiosk would (sureAtScale). */
    asIf100k?: { sure: string[]; maybe: string[] };
    /** The same search once the event was re-clustered (the centre rule reads the persons). */
    afterRecluster?: { sure: string[]; maybe: string[] };
    searchMs?: { withCentres: number; withoutCentres: number; withoutRegroup?: number; withoutPieces?: number };
    subsets?: { photos: number; sure: string[]; maybe: string[] }[];
  }[];
}

/** p50 and p95 of some milliseconds, to 0.1 ms. */
function percentiles(ms: readonly number[]): { p50: number; p95: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p95: at(0.95) };
}

async function measureEvent(): Promise<Record<string, unknown>> {
  const heldOut = set.portraits.filter((p) => splitOf(p.identity) === 'held-out');
  const plan = {
    photos: Number(args.photos),
    peoplePerPhoto: Number(args['people-per-photo']),
    minFacePx: 60,
    maxFacePx: 400,
    seed: Number(args.seed),
  };
  log(
    `Event: ${plan.photos} photos of 6000x4000 with up to ${plan.peoplePerPhoto} of ${new Set(heldOut.map((p) => p.identity)).size} held-out people each`,
  );
  const composed = await composeEvent(heldOut, plan, CACHE_DIR, log);
  const photosDir = join(composed.photos[0]!.file, '..');
  // Truth: which person's portrait covers which part of which photo.
  const tilesOf = new Map(composed.photos.map((p) => [p.name, p.people]));
  const truthOfFace = (f: EventRun['faces'][number]): string | null => {
    const cx = f.box[0] + f.box[2] / 2;
    const cy = f.box[1] + f.box[3] / 2;
    const tile = tilesOf.get(f.photo)?.find((t) => cx >= t.x && cx < t.x + t.size && cy >= t.y && cy < t.y + t.size);
    if (!tile) return null;
    // The labelled face sits in the middle of its portrait; others at its edge are bystanders.
    const central = Math.hypot(cx - (tile.x + tile.size / 2), cy - (tile.y + tile.size / 2)) < tile.size / 4;
    return central ? tile.identity : `bystander`;
  };
  const photosOf = new Map<string, Set<string>>();
  for (const p of composed.photos) for (const t of p.people) photosOf.set(t.identity, (photosOf.get(t.identity) ?? new Set()).add(p.name));
  const placed = composed.photos.reduce((s, p) => s + p.people.length, 0);

  const results: Record<string, unknown> = { plan, placedFaces: placed, people: composed.selfies.length };
  for (const { name, config } of configs) {
    log(`  ${name}: ingesting ${composed.photos.length} photos and answering ${composed.selfies.length} selfies...`);
    const run = await runChild(config, name, composed, photosDir);
    const labelled = run.faces.map((f) => ({ ...f, truth: truthOfFace(f) }));
    const ofPeople = labelled.filter((f) => f.truth !== null && f.truth !== 'bystander');
    const tilesFound = new Set(ofPeople.map((f) => `${f.photo}:${f.truth}`)).size;
    const answered = run.answers.filter((a) => !a.refused);
    const score = (pick: (a: EventRun['answers'][number]) => string[], limitTo?: number) => {
      const names = limitTo ? new Set(composed.photos.slice(0, limitTo).map((p) => p.name)) : undefined;
      return retrieval(
        answered.map((a) => ({
          truth: new Set([...(photosOf.get(a.identity) ?? [])].filter((n) => !names || names.has(n))),
          found: pick(a),
        })),
      );
    };
    // A before/after answer older runs (--reuse of an earlier ingest) do not have: null, not scored as empty.
    type Answer = EventRun['answers'][number];
    const variant = (pick: (a: Answer) => { sure: string[]; maybe: string[] } | undefined) =>
      answered.every((a) => pick(a))
        ? { sure: score((a) => pick(a)!.sure), sureAndMaybe: score((a) => [...pick(a)!.sure, ...pick(a)!.maybe]) }
        : null;
    const variantMs = (pick: (a: Answer) => number | undefined) =>
      answered.every((a) => pick(a) !== undefined) ? percentiles(answered.map((a) => pick(a)!)) : null;
    const subsetScores = (args.subsets ? args.subsets.split(',').map(Number) : []).map((n, i) => {
      const faces = labelled.filter((f) => composed.photos.slice(0, n).some((p) => p.name === f.photo)).length;
      return {
        photos: n,
        faces,
        sure: score((a) => a.subsets![i]!.sure, n),
        sureAndMaybe: score((a) => [...a.subsets![i]!.sure, ...a.subsets![i]!.maybe], n),
      };
    });
    const full = {
      photos: run.photos,
      faces: run.faces.length,
      sure: score((a) => a.sure!),
      sureAndMaybe: score((a) => [...a.sure!, ...a.maybe!]),
      withoutPersonCentres: {
        sure: score((a) => a.withoutCentres!.sure),
        sureAndMaybe: score((a) => [...a.withoutCentres!.sure, ...a.withoutCentres!.maybe]),
      },
      withoutRegroup: variant((a) => a.withoutRegroup),
      withoutPieces: variant((a) => a.withoutPieces),
      // Answered as if the event held 100k faces (the sure distance tightened as the kiosk would).
      asIf100k: variant((a) => a.asIf100k),
      afterRecluster: {
        sure: score((a) => a.afterRecluster!.sure),
        sureAndMaybe: score((a) => [...a.afterRecluster!.sure, ...a.afterRecluster!.maybe]),
      },
      // The search alone, the selfie already described: what the person-centre rule costs a kiosk.
      searchMs: {
        withPersonCentres: percentiles(answered.map((a) => a.searchMs!.withCentres)),
        withoutPersonCentres: percentiles(answered.map((a) => a.searchMs!.withoutCentres)),
        withoutRegroup: variantMs((a) => a.searchMs!.withoutRegroup),
        withoutPieces: variantMs((a) => a.searchMs!.withoutPieces),
      },
      // What the kiosk shows after the attendee tapped in her "Maybe you?" photos (each once): the
      // first sure photos, the tapped ones, and the sure photos of the search again; then its "maybe".
      afterTaps: {
        attendeesWhoTapped: answered.filter((a) => a.afterTaps?.tapped.length).length,
        sure: score((a) => [...new Set([...a.sure!, ...(a.afterTaps?.tapped ?? []), ...(a.afterTaps?.sure ?? [])])]),
        sureAndMaybe: score((a) => [
          ...new Set([
            ...a.sure!,
            ...a.maybe!,
            ...(a.afterTaps?.tapped ?? []),
            ...(a.afterTaps?.sure ?? []),
            ...(a.afterTaps?.maybe ?? []),
          ]),
        ]),
      },
    };
    // Precision at 100k faces, projected: wrong photos grow with the distractor faces (each is an
    // independent chance of a false match), right ones do not.
    const scale = 100_000 / run.faces.length;
    const projected = (r: { precision: number; recall: number; found: number; wrong: number }) => {
      const right = r.found - r.wrong;
      const wrong = r.wrong * scale;
      return { precision: right / (right + wrong || 1), recall: r.recall, wrongPhotos: Math.round(wrong) };
    };
    const people = (key: 'livePerson' | 'recluster') =>
      bcubed(ofPeople.map((f) => ({ cluster: String(f[key] ?? `none-${f.faceId}`), truth: f.truth! })));
    results[name] = {
      config: {
        threshold: config.threshold,
        maybeThreshold: config.maybeThreshold,
        clusterThreshold: config.clusterThreshold,
        groupThreshold: config.groupThreshold,
        personThreshold: config.personThreshold,
        descriptor: config.descriptor,
      },
      ingest: { seconds: run.ingestMs / 1000, photosPerSecond: run.photos / (run.ingestMs / 1000), failed: run.failed.length },
      detection: {
        placedFaces: placed,
        foundOfPlaced: tilesFound,
        rate: tilesFound / placed,
        bystanderFaces: labelled.filter((f) => f.truth === 'bystander').length,
        falseFacesOutsidePortraits: labelled.filter((f) => f.truth === null).length,
      },
      selfies: { answered: answered.length, refused: run.answers.length - answered.length },
      retrieval: {
        full,
        subsets: subsetScores,
        projected100k: {
          sure: projected(full.sure),
          sureWithoutPersonCentres: projected(full.withoutPersonCentres.sure),
          sureWithoutRegroup: full.withoutRegroup && projected(full.withoutRegroup.sure),
          sureWithoutPieces: full.withoutPieces && projected(full.withoutPieces.sure),
          sureAfterRecluster: projected(full.afterRecluster.sure),
          sureAndMaybe: projected(full.sureAndMaybe),
          // What the kiosk answers at 100k faces: the sure distance tightened there (sureAtScale).
          sureAtThatSize: full.asIf100k && projected(full.asIf100k.sure),
          sureAndMaybeAtThatSize: full.asIf100k && projected(full.asIf100k.sureAndMaybe),
          afterTapsSure: projected(full.afterTaps.sure),
        },
      },
      people: { live: people('livePerson'), reclustered: people('recluster') },
    };
    const atScaleFaces = Number(args['people-at-scale']);
    if (name === 'shipped' && atScaleFaces > 0) {
      log(`  ${name}: re-clustering the held-out people's faces turned into an event of ${atScaleFaces} faces...`);
      const atScale = await peopleAtScale(
        ofPeople.flatMap((f) => (f.embedding ? [{ photo: f.photo, truth: f.truth!, embedding: f.embedding }] : [])),
        config,
        atScaleFaces,
      );
      (results[name] as Record<string, unknown>).peopleAtScale = atScale;
      const line = (g: typeof atScale.recluster) =>
        `F ${g.f.toFixed(3)} (P ${g.precision.toFixed(3)} R ${g.recall.toFixed(3)}), ${g.personsPerPerson.toFixed(2)} persons per person, links ${g.linkSeconds.toFixed(1)} s (${g.links}), grouping ${g.groupingSeconds.toFixed(1)} s`;
      log(
        `    ${atScale.faces} faces of ${atScale.people} people: recluster ${line(atScale.recluster)} (main thread held ${atScale.recluster.mainThreadHeldMs} ms); as before ${line(atScale.reclusterBefore)}; ` +
          `on the grouping thread ${atScale.groupingThread.seconds.toFixed(1)} s, main thread held ${atScale.groupingThread.mainThreadHeldMs} ms, same persons: ${atScale.groupingThread.samePersons}`,
      );
    }
    const r = results[name] as {
      retrieval: { full: typeof full };
      people: { live: { f: number }; reclustered: { f: number; clustersPerIdentity: number } };
    };
    const pr = (r: { precision: number; recall: number } | undefined) =>
      r ? `P ${r.precision.toFixed(3)} R ${r.recall.toFixed(3)}` : 'not in this run';
    log(
      `  ${name}: faces ${run.faces.length} (${tilesFound}/${placed} placed found); sure P ${full.sure.precision.toFixed(3)} R ${full.sure.recall.toFixed(3)} ` +
        `(without person centres P ${full.withoutPersonCentres.sure.precision.toFixed(3)} R ${full.withoutPersonCentres.sure.recall.toFixed(3)}; persons not regrouped ${pr(full.withoutRegroup?.sure)}; only touched persons regrouped ${pr(full.withoutPieces?.sure)}; after a re-cluster P ${full.afterRecluster.sure.precision.toFixed(3)} R ${full.afterRecluster.sure.recall.toFixed(3)}); ` +
        `sure+maybe P ${full.sureAndMaybe.precision.toFixed(3)} R ${full.sureAndMaybe.recall.toFixed(3)}; ` +
        `as if 100k faces: sure ${pr(full.asIf100k?.sure)}, sure+maybe R ${full.asIf100k?.sureAndMaybe.recall.toFixed(3) ?? '–'}; ` +
        `after "Maybe you?" taps: sure P ${full.afterTaps.sure.precision.toFixed(3)} R ${full.afterTaps.sure.recall.toFixed(3)}, sure+maybe R ${full.afterTaps.sureAndMaybe.recall.toFixed(3)}; people F live ${r.people.live.f.toFixed(3)}, re-clustered ${r.people.reclustered.f.toFixed(3)} (${r.people.reclustered.clustersPerIdentity.toFixed(2)} persons per person)`,
    );
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Report

const report = {
  bench: 'match',
  date: new Date().toISOString(),
  machine: MACHINE,
  data: {
    dir: 'face-identities (outside the repository)',
    portraits: set.portraits.length,
    split: 'identities by sha1(name)[0] % 2: even = calibration, odd = held-out',
  },
  configurations: Object.fromEntries(configs.map((c) => [c.name, c.config])),
  verification,
  calibrated,
  event,
};
const jsonFile = join(RESULTS_DIR, `match-${stamp}.json`);
writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
await writeRocPlot(join(RESULTS_DIR, `match-${stamp}-roc.png`));
log(`Results: ${jsonFile}`);

/** ROC of every configuration on held-out pairs (log FMR axis), with the shipped thresholds marked. */
async function writeRocPlot(file: string): Promise<void> {
  const W = 900;
  const H = 600;
  const m = { l: 80, r: 30, t: 50, b: 70 };
  const x = (fmr: number) => m.l + ((Math.log10(fmr) + 5) / 5) * (W - m.l - m.r);
  const y = (tar: number) => H - m.b - tar * (H - m.t - m.b);
  const colours = ['#c0392b', '#2471a3', '#27ae60'];
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`];
  for (let e = -5; e <= 0; e++)
    parts.push(
      `<line x1="${x(10 ** e)}" y1="${m.t}" x2="${x(10 ** e)}" y2="${H - m.b}" stroke="#ddd"/><text x="${x(10 ** e)}" y="${H - m.b + 22}" font-size="14" text-anchor="middle" font-family="sans-serif">1e${e}</text>`,
    );
  for (let t = 0; t <= 1.0001; t += 0.2)
    parts.push(
      `<line x1="${m.l}" y1="${y(t)}" x2="${W - m.r}" y2="${y(t)}" stroke="#ddd"/><text x="${m.l - 10}" y="${y(t) + 5}" font-size="14" text-anchor="end" font-family="sans-serif">${t.toFixed(1)}</text>`,
    );
  configs.forEach(({ name, config }, i) => {
    const p = pairsByConfig.get(name)!.heldOut;
    const points = roc(p).map((r) => `${x(Math.max(r.fmr, 1e-5)).toFixed(1)},${y(r.tar).toFixed(1)}`);
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colours[i]}" stroke-width="3"/>`);
    const at = ratesAt(p, config.threshold);
    parts.push(`<circle cx="${x(Math.max(at.fmr, 1e-5))}" cy="${y(at.tar)}" r="7" fill="${colours[i]}"/>`);
    parts.push(
      `<text x="${W - m.r - 10}" y="${H - m.b - 20 - 24 * i}" font-size="16" text-anchor="end" fill="${colours[i]}" font-family="sans-serif">${name}: threshold ${config.threshold.toFixed(4)} (dot)</text>`,
    );
  });
  parts.push(
    `<text x="${W / 2}" y="30" font-size="18" text-anchor="middle" font-family="sans-serif">Held-out identities: same-person pairs accepted vs different-person pairs accepted</text>`,
  );
  parts.push(`<text x="${W / 2}" y="${H - 20}" font-size="15" text-anchor="middle" font-family="sans-serif">false match rate (log)</text>`);
  parts.push(
    `<text x="20" y="${H / 2}" font-size="15" text-anchor="middle" font-family="sans-serif" transform="rotate(-90 20 ${H / 2})">true accept rate</text>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(file);
}
