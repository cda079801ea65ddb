// One configuration's run of bench:match's event phase, in its own process (the match
// configuration is read once per process, workers included, from SHUTTERFIND_MATCH_CONFIG):
// ingest the composed event photos with the real engine (workers, detection, descriptors, live
// person assignment), then answer every held-out person's selfie through the kiosk's own search
// path, and re-cluster the event as `recluster` does. Writes what it found as JSON; the parent
// scores it against the truth.
//
//   tsx test/bench/match/event-run.ts --photos DIR --data-dir DIR --selfies FILE --out FILE [--reuse]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { openEngine, createLogger, engineRepositories, engineFaceIndexes } from '../../../src/core/index.js';
import { dominantFace, kioskDistances, tieredPhotosForEmbedding, FaceIndex } from '../../../src/search/index.js';
import { DEFAULT_DETECT_OPTIONS, FaceEngine, loadMatchThreshold } from '../../../src/vision/index.js';
import { analyseSelfie } from '../../../src/photo/index.js';
import { reclusterEvent } from '../../../src/people/index.js';

const { values: args } = parseArgs({
  options: {
    photos: { type: 'string' },
    'data-dir': { type: 'string' },
    selfies: { type: 'string' },
    out: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    /** Photo-count prefixes to answer the selfies on as well (smaller events, same faces). */
    subsets: { type: 'string', default: '' },
    /** Each person's photo names: the attendee taps in the "Maybe you?" photos they are in, and the kiosk searches again. */
    truth: { type: 'string' },
  },
});
const EVENT = 'match';
const config = loadMatchThreshold();
const log = createLogger({ logDir: null, terminal: 'none' });
const engine = await openEngine({ dataDir: args['data-dir']!, log, mode: 'one-shot' });
const session = await engine.openEvent(EVENT);
const eventId = session.event.id;
const started = performance.now();
let ingestMs = 0;
const files = (await readdir(args.photos!)).filter((f) => f.endsWith('.jpg')).sort();
const already = engineRepositories(engine).photos.listPhotos(eventId, { limit: 100_000 }).length;
if (!(args.reuse && already >= files.length)) {
  for (const f of files) session.intake.submit(join(args.photos!, f), null, undefined, args.photos!);
  await session.intake.settled();
  await engine.whenIdle(eventId);
  ingestMs = performance.now() - started;
}
const cpu = process.cpuUsage();
if (args.reuse && ingestMs === 0 && existsSync(args.out!)) restoreLivePersons(JSON.parse(readFileSync(args.out!, 'utf8')) as EarlierRun);

interface EarlierRun {
  faces: { faceId: number; livePerson: number | null }[];
}

/**
 * The persons as the earlier run's ingest grouped them live: that run re-clustered the event at
 * its end, and answering again on the re-cluster's persons would report them as the live ones.
 */
function restoreLivePersons(earlier: EarlierRun): void {
  const persons = engineRepositories(engine).persons;
  const facesOf = new Map<number, number[]>();
  for (const f of earlier.faces) {
    if (f.livePerson === null) continue;
    const list = facesOf.get(f.livePerson);
    if (list) list.push(f.faceId);
    else facesOf.set(f.livePerson, [f.faceId]);
  }
  persons.transaction(() => {
    const now = Date.now();
    const created = [...facesOf.values()].map((faceIds) => {
      const id = persons.createPerson(eventId, now);
      persons.setFacePerson(faceIds, id);
      return id;
    });
    persons.refreshPersons(created, now);
    for (const id of persons.emptyUnnamedPersonIds(eventId)) persons.deletePerson(id);
  });
}

const photos = engineRepositories(engine).photos.listPhotos(eventId, { limit: 100_000 });
const nameOf = new Map(photos.map((p) => [p.id, basename(p.path)]));
const faces = photos.flatMap((p) =>
  engineRepositories(engine)
    .faces.facesOfPhoto(p.id)
    .map((f) => ({ faceId: f.id, photo: basename(p.path), box: f.box, score: f.score, sizePx: f.sizePx, livePerson: f.personId })),
);

// The kiosk's path: the selfie analysed and judged as the kiosk does, then the event's index.
const faceEngine = await FaceEngine.open({ provider: 'cpu', threads: 2 });
const selfies = JSON.parse(readFileSync(args.selfies!, 'utf8')) as { identity: string; file: string }[];
const subsets = args.subsets ? args.subsets.split(',').map(Number) : [];
const order = photos.map((p) => ({ id: p.id, name: basename(p.path) })).sort((a, b) => a.name.localeCompare(b.name));
const photoOfFace = new Map(
  photos.flatMap((p) =>
    engineRepositories(engine)
      .faces.facesOfPhoto(p.id)
      .map((f) => [f.id, p.id] as const),
  ),
);
const subsetIndexes = subsets.map((n) => {
  const keep = new Set(order.slice(0, n).map((p) => p.id));
  const rows = [...engineRepositories(engine).faceVectors.eachVector(eventId)].filter((r) => keep.has(photoOfFace.get(r.faceId)!));
  return { photos: n, keep, index: FaceIndex.build(rows) };
});
const truth = args.truth ? (JSON.parse(readFileSync(args.truth, 'utf8')) as Record<string, string[]>) : null;
/**
 * The kiosk's distances: the person-centre rule as shipped, without it, with the persons taken as
 * they are (not grouped again at search), or with only the persons the sure matches touched
 * grouped again (no pieces of her and their neighbours), for the same run's before/after.
 */
type Centres = 'shipped' | 'none' | 'as-grouped' | 'touched-only';
/** The event size the parent projects precision to. */
const PROJECTED_FACES = 100_000;
const kioskThresholds = (centres: Centres) => {
  const { personCentres, ...others } = kioskDistances(config);
  if (centres === 'none') return others;
  if (centres === 'as-grouped') return { ...others, personCentres: { ...personCentres, regroupMaxFaces: 0, joinPieces: false } };
  if (centres === 'touched-only') return { ...others, personCentres: { ...personCentres, joinPieces: false } };
  return { ...others, personCentres };
};
const answers: ({ identity: string; embedding?: Float32Array; afterRecluster?: { sure: string[]; maybe: string[] } } & Record<
  string,
  unknown
>)[] = [];
for (const s of selfies) {
  const analysed = await analyseSelfie(faceEngine, readFileSync(s.file), DEFAULT_DETECT_OPTIONS);
  let embedding: Float32Array;
  try {
    embedding = dominantFace(analysed.faces).embedding;
  } catch (err) {
    answers.push({ identity: s.identity, refused: (err as Error).message });
    continue;
  }
  const search = (index: FaceIndex, centres: Centres = 'shipped', eventFaces?: number) =>
    tieredPhotosForEmbedding(engineRepositories(engine), eventId, embedding, {
      ...kioskThresholds(centres),
      limit: 500,
      index,
      ...(eventFaces ? { eventFaces } : {}),
    });
  let t0 = performance.now();
  const full = search(engineFaceIndexes(engine).forEvent(eventId));
  const withCentresMs = performance.now() - t0;
  // The same search without the person-centre rule (as before it), for the same run's before/after.
  t0 = performance.now();
  const withoutCentres = search(engineFaceIndexes(engine).forEvent(eventId), 'none');
  const withoutCentresMs = performance.now() - t0;
  // And with the persons as grouped, not grouped again at search (as before that).
  t0 = performance.now();
  const asGrouped = search(engineFaceIndexes(engine).forEvent(eventId), 'as-grouped');
  const asGroupedMs = performance.now() - t0;
  // And grouping again only the persons the sure matches touched (as before pieces were joined).
  t0 = performance.now();
  const touchedOnly = search(engineFaceIndexes(engine).forEvent(eventId), 'touched-only');
  const touchedOnlyMs = performance.now() - t0;
  // As the kiosk would answer in an event of 100k faces: the sure distance tightens (sureAtScale);
  // the parent projects its wrong photos to that many faces.
  const asIf100k = search(engineFaceIndexes(engine).forEvent(eventId), 'shipped', PROJECTED_FACES);
  const names = (ms: { photoId: number }[]) => ms.map((m) => nameOf.get(m.photoId)!);
  // The attendee recognises herself in some "Maybe you?" photos and taps each in (the kiosk's
  // confirm-maybe: the faces those photos matched by join the selfie's query expansion).
  const theirs = new Set(truth?.[s.identity] ?? []);
  const tapped = truth ? full.maybe.filter((m) => theirs.has(nameOf.get(m.photoId)!)) : [];
  const again = tapped.length
    ? tieredPhotosForEmbedding(engineRepositories(engine), eventId, embedding, {
        ...kioskThresholds('shipped'),
        limit: 500,
        index: engineFaceIndexes(engine).forEvent(eventId),
        confirmedFaces: engineRepositories(engine)
          .faceVectors.vectorsOf(tapped.map((m) => m.faceId))
          .filter((v): v is Float32Array => v !== undefined),
      })
    : null;
  answers.push({
    identity: s.identity,
    embedding,
    sure: names(full.sure),
    maybe: names(full.maybe),
    withoutCentres: { sure: names(withoutCentres.sure), maybe: names(withoutCentres.maybe) },
    withoutRegroup: { sure: names(asGrouped.sure), maybe: names(asGrouped.maybe) },
    withoutPieces: { sure: names(touchedOnly.sure), maybe: names(touchedOnly.maybe) },
    asIf100k: { sure: names(asIf100k.sure), maybe: names(asIf100k.maybe) },
    // The search alone (selfie already described), to price the person-centre rule and the regrouping.
    searchMs: { withCentres: withCentresMs, withoutCentres: withoutCentresMs, withoutRegroup: asGroupedMs, withoutPieces: touchedOnlyMs },
    ...(truth ? { afterTaps: { tapped: names(tapped), sure: names(again?.sure ?? []), maybe: names(again?.maybe ?? []) } } : {}),
    subsets: subsetIndexes.map((sub) => {
      const r = search(sub.index);
      // Person expansion reads the whole event's persons: keep what a smaller event could have.
      const inSubset = (ms: { photoId: number }[]) => names(ms.filter((m) => sub.keep.has(m.photoId)));
      return { photos: sub.photos, sure: inSubset(r.sure), maybe: inSubset(r.maybe) };
    }),
  });
}
await faceEngine.release();

const recluster = await reclusterEvent(engineRepositories(engine).persons, eventId, config.groupThreshold);
// The same selfies once the organiser has re-clustered: the person-centre rule reads the persons.
for (const a of answers) {
  if (!a.embedding) continue;
  const r = tieredPhotosForEmbedding(engineRepositories(engine), eventId, a.embedding, {
    ...kioskThresholds('shipped'),
    limit: 500,
    index: engineFaceIndexes(engine).forEvent(eventId),
  });
  const names = (ms: { photoId: number }[]) => ms.map((m) => nameOf.get(m.photoId)!);
  a.afterRecluster = { sure: names(r.sure), maybe: names(r.maybe) };
  delete a.embedding;
}
const afterRecluster = new Map(
  engineRepositories(engine)
    .persons.eventFacePlacements(eventId)
    .map((f) => [f.faceId, f.personId]),
);
// The descriptors too: the parent builds an event of 100k faces from them (people-at-scale.ts).
const embeddingOf = new Map(
  [...engineRepositories(engine).faceVectors.eachVector(eventId)].map((r) => [
    r.faceId,
    Array.from(r.embedding, (x) => Math.round(x * 1e6) / 1e6),
  ]),
);
const out = {
  config,
  ingestMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  photos: photos.length,
  failed: photos.filter((p) => p.status !== 'ready').map((p) => ({ name: basename(p.path), status: p.status, error: p.error })),
  faces: faces.map((f) => ({ ...f, recluster: afterRecluster.get(f.faceId) ?? null, embedding: embeddingOf.get(f.faceId) ?? null })),
  recluster,
  answers,
};
writeFileSync(args.out!, JSON.stringify(out));
await engine.stop();
if (!existsSync(args.out!)) process.exitCode = 1;
