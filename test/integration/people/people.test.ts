// Persons of an event on a real SQLite file with sqlite-vec: live assignment as photos' faces are
// written, a full re-cluster that keeps ids and names, and the organiser's people listing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPeople, runRecluster, runRenamePerson } from '../../../src/cli/commands/people.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { dataDirLayout } from '../../../src/config/index.js';
import { createLogger } from '../../../src/core/index.js';
import { createFaceIndexCache, type FaceIndexCache } from '../../../src/search/index.js';
import { createRepositories, openDatabase, type Database } from '../../../src/store/index.js';
import { createPersonsRepository, type PersonsRepository } from '../../../src/store/persons-repository.js';
import { linkGraph } from '../../../src/people/face-clustering.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { assignFacesToPersons, mergePersons, reclusterEvent, splitPerson } from '../../../src/people/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const { clusterThreshold: LINK, groupThreshold: GROUP } = loadMatchThreshold();
const LINK_ANGLE = Math.acos(1 - LINK);
const DIM = 128;

let dir: string;
let db: Database;
let persons: PersonsRepository;
let eventId: number;
let ctx: CommandContext;
let photoCounter = 0;
/** Where live assignment finds a new face's neighbours: sqlite-vec, or the engine's in-memory index. */
type NeighbourSource = 'sqlite-vec' | 'in-memory index';
let neighbourSource: NeighbourSource = 'sqlite-vec';
let faceIndexes: FaceIndexCache;

beforeEach(async () => {
  dir = await makeTempDir();
  db = openDatabase(dataDirLayout(dir).database);
  persons = createPersonsRepository(db);
  eventId = createRepositories(db).events.ensureEvent('gala', 1).id;
  faceIndexes = createFaceIndexCache(createRepositories(db).faceVectors);
  ctx = { dataDir: dir, json: true, log: createLogger({ logDir: null, terminal: 'none' }) };
});
afterEach(async () => {
  if (db.open) db.close();
  await removeDir(dir);
});

/** A unit vector in the e0–e1 plane: places faces at known distances from each other. */
function onArc(angleInLinks: number): Float32Array {
  const v = new Float32Array(DIM);
  v[0] = Math.cos(angleInLinks * LINK_ANGLE);
  v[1] = Math.sin(angleInLinks * LINK_ANGLE);
  return v;
}

/** Another direction, orthogonal to the arc and to other people's directions. */
function axis(k: number, jitter = 0): Float32Array {
  const v = new Float32Array(DIM);
  v[k] = Math.cos(jitter * LINK_ANGLE);
  v[k + 1] = Math.sin(jitter * LINK_ANGLE);
  return v;
}

function addPhoto(): number {
  photoCounter += 1;
  return createRepositories(db).photos.addPhotoWithJob(
    {
      eventId,
      sourceId: null,
      path: `/cam/IMG_${photoCounter}.JPG`,
      sha256: `sha${photoCounter}`,
      format: 'jpeg',
      sizeBytes: 10,
      mtimeMs: 1,
      landedAt: 1,
    },
    3,
    1,
  );
}

/** Writes one photo's faces as the face engine does, then assigns them as the engine will. */
function photoWithFaces(faces: { embedding: Float32Array; quality?: number }[]): number[] {
  const photoId = addPhoto();
  const insertFace = db.prepare(
    'INSERT INTO faces (photo_id, event_id, box_x, box_y, box_w, box_h, score, quality, crop_path, created_at) VALUES (?, ?, 0, 0, 10, 10, 0.9, ?, ?, 1)',
  );
  const insertVector = db.prepare('INSERT INTO face_embeddings (face_id, event_id, embedding) VALUES (?, ?, ?)');
  const ids = faces.map((f) => {
    const id = Number(insertFace.run(photoId, eventId, f.quality ?? 0.5, null).lastInsertRowid);
    db.prepare('UPDATE faces SET crop_path = ? WHERE id = ?').run(`faces/${id}.jpg`, id);
    insertVector.run(BigInt(id), BigInt(eventId), Buffer.from(f.embedding.buffer, f.embedding.byteOffset, f.embedding.byteLength));
    return id;
  });
  if (neighbourSource === 'sqlite-vec') {
    assignFacesToPersons(persons, eventId, ids, LINK);
  } else {
    // As the engine does: the index learns the new faces, then answers the neighbour queries.
    faceIndexes.facesAdded(
      eventId,
      ids.map((faceId, i) => ({ faceId, embedding: faces[i]!.embedding })),
    );
    const index = faceIndexes.forEvent(eventId);
    assignFacesToPersons(persons, eventId, ids, LINK, { neighbours: (embedding, k) => index.nearest(embedding, k) });
  }
  return ids;
}

/** Who is with whom: person id → its face ids, read back from the faces table. */
function groups(): Record<number, number[]> {
  const rows = db.prepare('SELECT id, person_id FROM faces WHERE event_id = ? ORDER BY id').all(eventId) as {
    id: number;
    person_id: number | null;
  }[];
  const out: Record<number, number[]> = {};
  for (const r of rows) (out[r.person_id ?? -1] ??= []).push(r.id);
  return out;
}

describe.each<NeighbourSource>(['sqlite-vec', 'in-memory index'])('people of an event (neighbours from %s)', (source) => {
  beforeEach(() => {
    neighbourSource = source;
  });
  it('groups faces into persons as photos arrive, and lists them with counts and the best cover', async () => {
    const [ana1, ben1] = photoWithFaces([{ embedding: axis(10) }, { embedding: axis(20) }]);
    const [ana2] = photoWithFaces([{ embedding: axis(10, 0.1), quality: 0.9 }]);
    const [ana3, ben2] = photoWithFaces([{ embedding: axis(10, 0.2) }, { embedding: axis(20, 0.1) }]);
    const [chloe] = photoWithFaces([{ embedding: axis(30) }]);
    const [ben3] = photoWithFaces([{ embedding: axis(20, 0.2), quality: 0.8 }]);

    const g = groups();
    const personOf = (face: number) => Number(Object.keys(g).find((p) => g[Number(p)]!.includes(face)));
    expect(Object.values(g).sort((a, b) => a[0]! - b[0]!)).toEqual([[ana1, ana2, ana3], [ben1, ben2, ben3], [chloe]]);

    const report = await runPeople(ctx, 'gala');
    expect(report).toEqual({
      event: 'gala',
      persons: [
        { id: personOf(ana1!), name: null, faceCount: 3, photoCount: 3, coverCrop: `faces/${ana2}.jpg` },
        { id: personOf(ben1!), name: null, faceCount: 3, photoCount: 3, coverCrop: `faces/${ben3}.jpg` },
        { id: personOf(chloe!), name: null, faceCount: 1, photoCount: 1, coverCrop: `faces/${chloe}.jpg` },
      ],
    });
    // The faces shown on each card: the cover first, then by quality, then oldest; at most as many as asked.
    const samples = createRepositories(db).faces.sampleFacesOfPersons(eventId, 2);
    expect(samples.get(personOf(ana1!))!.map((f) => f.faceId)).toEqual([ana2, ana1]);
    expect(samples.get(personOf(ben1!))!.map((f) => f.faceId)).toEqual([ben3, ben1]);
    expect([...samples.keys()].sort((a, b) => a - b)).toEqual([personOf(ana1!), personOf(ben1!), personOf(chloe!)].sort((a, b) => a - b));
  });

  it('keeps person ids and the organiser’s names through a re-cluster that changes nothing', async () => {
    photoWithFaces([{ embedding: axis(10) }, { embedding: axis(20) }]);
    photoWithFaces([{ embedding: axis(10, 0.1) }, { embedding: axis(20, 0.1) }]);
    photoWithFaces([{ embedding: axis(30) }]);
    const before = groups();
    const ana = (await runPeople(ctx, 'gala')).persons[0]!.id;
    await runRenamePerson(ctx, 'gala', ana, '  Ana Lima ');

    const summary = await runRecluster(ctx, 'gala');

    expect(summary).toEqual({ event: 'gala', persons: 3, faces: 5, kept: 3, created: 0, removed: 0 });
    expect(groups()).toEqual(before);
    expect((await runPeople(ctx, 'gala')).persons.map((p) => [p.id, p.name])).toEqual([
      [ana, 'Ana Lima'],
      [Number(Object.keys(before)[1]), null],
      [Number(Object.keys(before)[2]), null],
    ]);
  });

  it('a re-cluster moves a wrongly placed face to a new person and leaves the others’ ids alone', async () => {
    const [ana1] = photoWithFaces([{ embedding: axis(10) }]);
    const [ana2] = photoWithFaces([{ embedding: axis(10, 0.1) }]);
    const [stranger] = photoWithFaces([{ embedding: axis(40) }]);
    const ana = groups();
    const anaId = Number(Object.keys(ana).find((p) => ana[Number(p)]!.includes(ana1!)));
    await runRenamePerson(ctx, 'gala', anaId, 'Ana');
    // As if an earlier, looser threshold had put the stranger with Ana.
    persons.setFacePerson([stranger!], anaId);
    const strayId = Number(Object.keys(ana).find((p) => ana[Number(p)]!.includes(stranger!)));
    persons.refreshPersons(persons.personIds(eventId), 2);

    const summary = await reclusterEvent(persons, eventId, GROUP);

    expect(summary).toEqual({ persons: 2, faces: 3, kept: 1, created: 1, removed: 1 });
    const after = groups();
    expect(after[anaId]).toEqual([ana1, ana2]);
    const strangerPerson = Number(Object.keys(after).find((p) => after[Number(p)]!.includes(stranger!)));
    expect(strangerPerson).not.toBe(anaId);
    expect(strangerPerson).not.toBe(strayId);
    expect(persons.getPerson(eventId, anaId)).toMatchObject({ name: 'Ana', faceCount: 2 });
  });

  it('a face that links two persons strongly merges them into the larger, and a re-cluster agrees', async () => {
    const p1 = [0, 0.05, 0.1].map((a) => photoWithFaces([{ embedding: onArc(a) }])[0]!);
    const q1 = [1.2, 1.25].map((a) => photoWithFaces([{ embedding: onArc(a) }])[0]!);
    const beforeBridge = groups();
    expect(Object.values(beforeBridge)).toEqual([p1, q1]);
    const larger = Number(Object.keys(beforeBridge)[0]);

    const [bridge] = photoWithFaces([{ embedding: onArc(0.65) }]);

    expect(groups()).toEqual({ [larger]: [...p1, ...q1, bridge] });
    expect(await reclusterEvent(persons, eventId, GROUP)).toEqual({ persons: 1, faces: 6, kept: 1, created: 0, removed: 0 });
    expect(groups()).toEqual({ [larger]: [...p1, ...q1, bridge] });
  });

  it('an automatic merge never takes a named person away: the merged person keeps the name and its id', async () => {
    [0, 0.05, 0.1].map((a) => photoWithFaces([{ embedding: onArc(a) }]));
    [1.2, 1.25].map((a) => photoWithFaces([{ embedding: onArc(a) }]));
    const [, smaller] = (await runPeople(ctx, 'gala')).persons.map((p) => p.id);
    await runRenamePerson(ctx, 'gala', smaller!, 'Ben');

    photoWithFaces([{ embedding: onArc(0.65) }]);

    expect((await runPeople(ctx, 'gala')).persons.map((p) => ({ id: p.id, name: p.name, faceCount: p.faceCount }))).toEqual([
      { id: smaller, name: 'Ben', faceCount: 6 },
    ]);
  });

  it('two persons the organiser named are never merged automatically, however a new face links them', async () => {
    const anaFaces = [0, 0.05, 0.1].map((a) => photoWithFaces([{ embedding: onArc(a) }])[0]!);
    const benFaces = [1.2, 1.25].map((a) => photoWithFaces([{ embedding: onArc(a) }])[0]!);
    const [ana, ben] = Object.keys(groups()).map(Number);
    await runRenamePerson(ctx, 'gala', ana!, 'Ana');
    await runRenamePerson(ctx, 'gala', ben!, 'Ben');

    const [bridge] = photoWithFaces([{ embedding: onArc(0.65) }]);

    // The linking face joins one of them; neither loses a face to the other.
    const after = groups();
    expect(
      Object.keys(after)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([ana!, ben!].sort((a, b) => a - b));
    expect([after[ana!]!.filter((f) => f !== bridge), after[ben!]!.filter((f) => f !== bridge)]).toEqual([anaFaces, benFaces]);
  });

  it('a re-cluster leaves faces that arrive while it compares (a running engine) with the person they were given', async () => {
    const [ana1] = photoWithFaces([{ embedding: axis(10) }]);
    photoWithFaces([{ embedding: axis(10, 0.1) }]);
    let late: number[] = [];
    const summary = await reclusterEvent(persons, eventId, GROUP, {
      links: async (faces, threshold) => {
        // The engine stores and groups a new photo while the comparison runs.
        late = photoWithFaces([{ embedding: axis(10, 0.2) }, { embedding: axis(40) }]);
        return linkGraph(faces, threshold);
      },
    });
    expect(summary.faces).toBe(2);
    const g = groups();
    const personOf = (face: number) => Number(Object.keys(g).find((p) => g[Number(p)]!.includes(face)));
    expect(personOf(late[0]!)).toBe(personOf(ana1!));
    expect(Object.keys(g)).toHaveLength(2);
    expect(g[-1]).toBeUndefined();
  });

  it('a re-cluster of an event with too many look-alike pairs is refused with a reason, and changes nothing', async () => {
    [0, 0.05, 0.1].map((a) => photoWithFaces([{ embedding: onArc(a) }]));
    photoWithFaces([{ embedding: onArc(1.2) }]);
    const before = groups();
    // Three linked pairs against a limit of two.
    await expect(reclusterEvent(persons, eventId, GROUP, { maxLinks: 2 })).rejects.toThrow(
      /^Cannot re-cluster this event: more than 2 pairs of faces are within the link distance .*Nothing was changed/,
    );
    expect(groups()).toEqual(before);
  });

  it("a re-cluster keeps the organiser's split and merge as they made them", async () => {
    const p1 = [0, 0.05, 0.1].map((a) => photoWithFaces([{ embedding: onArc(a) }])[0]!);
    const q1 = [1.2, 1.25].map((a) => photoWithFaces([{ embedding: onArc(a) }])[0]!);
    const [personP, personQ] = Object.keys(groups()).map(Number);
    // The organiser knows better: the last face of P is someone else, and Q is the same person as P.
    const splitOff = splitPerson(persons, eventId, personP!, [p1[2]!], p1);
    mergePersons(persons, eventId, personP!, [personQ!]);
    const before = groups();
    expect(before).toEqual({ [personP!]: [p1[0], p1[1], ...q1], [splitOff]: [p1[2]] });

    await reclusterEvent(persons, eventId, GROUP);

    expect(groups()).toEqual(before);
  });

  it('two look-alikes in one photo stay two persons', () => {
    const [a, b] = photoWithFaces([{ embedding: onArc(0) }, { embedding: onArc(0.1) }]);
    const [c] = photoWithFaces([{ embedding: onArc(0.02) }]);
    expect(Object.values(groups())).toEqual([[a, c], [b]]);
  });

  it('names the event and the person when they do not exist', async () => {
    await expect(runPeople(ctx, 'wedding')).rejects.toThrow('No event named "wedding"');
    await expect(runRenamePerson(ctx, 'gala', 999, 'Ana')).rejects.toThrow('Event "gala" has no person 999');
  });
});
