// One stage run again for a whole event, on real photos with faces through the real worker pool:
// a new photo's previews and faces are one worker task (one decode); `reprocess --stage faces`
// finds faces anew without touching the previews, keeps people and names, and the photos stay
// ready throughout; `--stage previews` keeps the faces; status shows what waits per stage.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReprocess, runReprocess } from '../../../src/cli/commands/reprocess.js';
import { formatStatus } from '../../../src/cli/commands/status.js';
import type { CommandContext } from '../../../src/cli/context.js';
import { createLogger, engineRepositories, openEngine, type Engine } from '../../../src/core/index.js';
import type { PhotoOutcome } from '../../../src/pipeline/index.js';
import { dataDirLayout } from '../../../src/config/index.js';
import { installClipModel, loadMatchThreshold } from '../../../src/vision/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { writeTinyClipModel } from '../../fixtures/tiny-clip.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const EVENT = 'party';
const FACES_ON = { faces: { enabled: true } };

let root: string;
let dataDir: string;
let ctx: CommandContext;
/** What the engine announced while the photos were imported. */
const imported: PhotoOutcome[] = [];

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** The bytes of every photo's preview and thumbnail, and its faces with their persons. */
async function snapshot(engine: Engine) {
  const repos = engineRepositories(engine);
  const eventId = repos.events.findEventByName(EVENT)!.id;
  const photos = repos.photos.listPhotos(eventId, { limit: 100 });
  return {
    eventId,
    statuses: photos.map((p) => p.status),
    files: await Promise.all(
      photos.map(async (p) => [await sha256(join(dataDir, p.previewPath!)), await sha256(join(dataDir, p.thumbnailPath!))]),
    ),
    faces: photos.map((p) => repos.faces.facesOfPhoto(p.id)),
    persons: repos.persons.listPersons(eventId),
  };
}

async function withEngine<T>(settings: Parameters<typeof startTestEngine>[2], body: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await startTestEngine(dataDir, 'one-shot', settings);
  try {
    return await body(engine);
  } finally {
    await engine.stop();
  }
}

beforeAll(async () => {
  root = await makeTempDir();
  dataDir = join(root, 'data');
  await withEngine(FACES_ON, async (engine) => {
    engine.bus.on('photo', (o) => imported.push(o));
    const session = await engine.openEvent(EVENT);
    for (const p of samplePhotoPaths().slice(0, 3)) session.intake.submit(p, null);
    await session.intake.settled();
    await engine.whenIdle(session.event.id);
  });
  // The CLI's engine reads the data dir's settings, as `shutterfind reprocess` would.
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ pipeline: { workers: 2 } }));
  ctx = { dataDir, json: true, log: createLogger({ logDir: null, terminal: 'none', level: 'warn' }) };
}, 180_000);

afterAll(async () => {
  await removeDir(root);
});

describe('one job kind per stage', () => {
  it("runs a new photo's previews and faces jobs as one worker task, decoding it once", async () => {
    // One outcome (one task, one set of timings) per photo, for both of its stages.
    expect(imported).toHaveLength(3);
    expect(new Set(imported.map((o) => o.photoId)).size).toBe(3);
    for (const o of imported) {
      expect(o).toMatchObject({ status: 'ready', stages: ['previews', 'faces'] });
      if (o.status === 'ready') expect(o.timings.decodeMs).toBeGreaterThan(0);
    }
    await withEngine(FACES_ON, async (engine) => {
      const repos = engineRepositories(engine);
      // Admission queued both jobs of each photo; both are done, by that one task.
      const jobs = [1, 2, 3, 4, 5, 6].map((id) => repos.jobs.getJob(id)!);
      for (const o of imported) {
        const own = jobs.filter((j) => j.photoId === o.photoId);
        expect(own.map((j) => [j.kind, j.state, j.attempts]).sort()).toEqual([
          ['photo.faces', 'done', 1],
          ['photo.previews', 'done', 1],
        ]);
        expect(repos.faces.facesOfPhoto(o.photoId).length).toBeGreaterThan(0);
      }
      expect(repos.jobs.queueDepth()).toBe(0);
    });
  });

  it('finds faces anew for the event without touching previews or thumbnails, keeping people and their names, the photos ready throughout', async () => {
    await withEngine(FACES_ON, async (engine) => {
      const repos = engineRepositories(engine);
      const before = await snapshot(engine);
      const [named] = before.persons;
      repos.persons.renamePerson(before.eventId, named!.id, 'Anna', Date.now());
      const session = await engine.openEvent(EVENT);

      const outcomes: PhotoOutcome[] = [];
      const statusesSeen: string[][] = [];
      engine.bus.on('photo', (o) => {
        outcomes.push(o);
        statusesSeen.push(repos.photos.listPhotos(before.eventId, { limit: 100 }).map((p) => p.status));
      });
      expect(engine.reprocess(EVENT, 'faces')).toEqual({ stage: 'faces', photos: 3, queued: 3, failedPhotos: 0 });
      statusesSeen.push(repos.photos.listPhotos(before.eventId, { limit: 100 }).map((p) => p.status));
      await engine.whenIdle(session.event.id);

      expect(outcomes.map((o) => [o.status, 'stages' in o ? o.stages : null])).toEqual(Array(3).fill(['ready', ['faces']]));
      for (const seen of statusesSeen) expect(seen).toEqual(['ready', 'ready', 'ready']);
      const after = await snapshot(engine);
      expect(after.files).toEqual(before.files);
      expect(after.statuses).toEqual(before.statuses);

      const oldIds = new Set(before.faces.flat().map((f) => f.id));
      expect(after.faces.map((f) => f.length)).toEqual(before.faces.map((f) => f.length));
      for (const f of after.faces.flat()) {
        expect(oldIds.has(f.id)).toBe(false);
        expect(f.personId).not.toBeNull();
      }
      // The same model finds the same faces: each keeps its person, so the people are unchanged.
      expect(after.faces.map((faces) => faces.map((f) => f.personId))).toEqual(before.faces.map((faces) => faces.map((f) => f.personId)));
      expect(after.persons.map((p) => [p.id, p.faceCount])).toEqual(before.persons.map((p) => [p.id, p.faceCount]));
      expect(after.persons.find((p) => p.id === named!.id)?.name).toBe('Anna');
      // The kiosk's index holds the new faces, not the old ones.
      const vectors = repos.faceVectors.vectorsOf(after.faces.flat().map((f) => f.id));
      expect(vectors.every((v) => v !== undefined)).toBe(true);
      expect(repos.faceVectors.vectorsOf([...oldIds]).filter((v) => v !== undefined)).toEqual([]);
    });
  });

  it('shows what waits per stage in status, and a later reprocess runs what an earlier one left queued', async () => {
    // An engine that takes no jobs: the re-run waits in the queue, as when its engine was stopped.
    const idle = await openEngine({ dataDir, mode: 'one-shot', log: ctx.log, settings: FACES_ON, processPhotos: false });
    try {
      expect(idle.reprocess(EVENT, 'faces')).toMatchObject({ photos: 3, queued: 3 });
      const status = idle.status(EVENT)!;
      expect(status.queue).toEqual({ depth: 3, byStage: { previews: 0, faces: 3, scene: 0 } });
      expect(formatStatus(status)).toMatch(/queue +3 job\(s\) waiting: faces 3\n/);
    } finally {
      await idle.stop();
    }

    const summary = await runReprocess(ctx, { event: EVENT, stage: 'faces' });
    expect(summary).toMatchObject({
      event: EVENT,
      stage: 'faces',
      photos: 3,
      queued: 0,
      failedPhotosLeft: 0,
      stages: {
        previews: { done: 0, failed: 0, skipped: 0 },
        faces: { done: 3, failed: 0, skipped: 0 },
        scene: { done: 0, failed: 0, skipped: 0 },
      },
      failed: [],
    });
    expect(formatReprocess(summary)).toMatch(/^Event "party": faces stage run again for 3 photo\(s\) in [\d.]+ s: faces 3 done$/);
  });

  it('renders previews again without touching the faces', async () => {
    const before = await withEngine(FACES_ON, snapshot);
    const summary = await runReprocess(ctx, { event: EVENT, stage: 'previews' });
    expect(summary).toMatchObject({ photos: 3, queued: 3, stages: { previews: { done: 3 }, faces: { done: 0 }, scene: { done: 0 } } });
    const after = await withEngine(FACES_ON, snapshot);
    expect(after.statuses).toEqual(['ready', 'ready', 'ready']);
    expect(after.faces).toEqual(before.faces);
    expect(after.persons).toEqual(before.persons);
  });

  it('says how to install a CLIP model when asked for the scene stage without one', async () => {
    await expect(runReprocess(ctx, { event: EVENT, stage: 'scene' })).rejects.toThrow(
      expect.objectContaining({
        name: 'UserFacingError',
        message: expect.stringMatching(/no CLIP model is installed.*shutterfind models add/),
      }),
    );
  });

  it("embeds every ready photo's scene again from its preview once a CLIP model is installed", async () => {
    await writeTinyClipModel(join(root, 'tiny-clip'), { precision: 'fp32' });
    await installClipModel(join(root, 'tiny-clip'), dataDirLayout(dataDir).models);
    const before = await withEngine(FACES_ON, snapshot);
    // Opening the event back-fills the photos from before the model; the re-run joins those jobs.
    const first = await runReprocess(ctx, { event: EVENT, stage: 'scene' });
    expect(first).toMatchObject({
      photos: 3,
      queued: 0,
      stages: { scene: { done: 3, failed: 0 }, faces: { done: 0 }, previews: { done: 0 } },
    });
    const again = await runReprocess(ctx, { event: EVENT, stage: 'scene' });
    expect(again).toMatchObject({ photos: 3, queued: 3, stages: { scene: { done: 3, failed: 0 } } });
    await withEngine(FACES_ON, async (engine) => {
      expect(engine.status(EVENT)?.scene).toMatchObject({ embedded: 3, ofPhotos: 3 });
      const after = await snapshot(engine);
      expect(after.files).toEqual(before.files);
      expect(after.faces).toEqual(before.faces);
    });
  });

  it('describes the faces of an event again when an earlier face network described them, once, as the engine opens', async () => {
    // Stand-ins for an earlier network's descriptors: another unit vector for every face, and the
    // event recorded as described by face-api's dlib port (as migration 0015 records old events).
    const stale = await withEngine(FACES_ON, async (engine) => {
      const repos = engineRepositories(engine);
      const { eventId, faces } = await snapshot(engine);
      const faceIds = faces.flat().map((f) => f.id);
      const current = repos.faceVectors.vectorsOf(faceIds);
      repos.faceVectors.deleteFaces(faceIds);
      repos.faceVectors.insertMany(
        faceIds.map((faceId, i) => ({ faceId, eventId, embedding: current[i]!.map((x, d) => (d % 2 ? -x : x)) })),
      );
      repos.events.recordFaceDescriptor(eventId, 'face-api-resnet34-128d', Date.now());
      // An attendee who took her photo home and asked for new ones: her selfie's description,
      // by the earlier network, is kept (the picture never is).
      const hers = faces.flat()[0]!;
      const kiosk = repos.kiosks.addDevice(eventId, 'Kiosk', 'token-hash', Date.now());
      repos.kiosks.startSession('ana', eventId, kiosk, Date.now(), Date.now() + 600_000);
      repos.kiosks.recordMatches(
        'ana',
        current[0]!.map((x, d) => (d % 2 ? -x : x)),
        [hers.photoId],
      );
      repos.kiosks.recordTakeHome('ana', true, 'email:ana@example.com');
      repos.kiosks.endSession('ana', Date.now() + 30 * 86_400_000, Date.now());
      return { eventId, faceIds, current };
    });
    expect(stale.faceIds.length).toBeGreaterThan(0);
    await withEngine(FACES_ON, async (engine) => {
      const repos = engineRepositories(engine);
      await engine.whenIdle(stale.eventId);
      expect(repos.events.faceDescriptorOf(stale.eventId)).toBe(loadMatchThreshold().model);
      const { faces } = await snapshot(engine);
      const now = repos.faceVectors.vectorsOf(faces.flat().map((f) => f.id));
      // The same faces found again, each with the shipped network's descriptor of it.
      expect(now).toHaveLength(stale.current.length);
      now.forEach((v, i) => expect(1 - v!.reduce((dot, x, d) => dot + x * stale.current[i]![d]!, 0)).toBeLessThan(1e-4));
      // Her description is rebuilt from her face as the shipped network describes it, so new
      // photos of her can still be found.
      const [ana] = repos.kiosks.followingSessions(stale.eventId, Date.now());
      expect(ana?.anchors?.map((a) => a.faceId)).toEqual([faces.flat()[0]!.id]);
      expect(1 - ana!.embedding.reduce((dot, x, d) => dot + x * stale.current[0]![d]!, 0)).toBeLessThan(1e-4);
    });
    // Recorded: the next start queues nothing.
    const idle = await openEngine({ dataDir, mode: 'one-shot', log: ctx.log, settings: FACES_ON, processPhotos: false });
    try {
      expect(idle.status(EVENT)!.queue).toEqual({ depth: 0, byStage: { previews: 0, faces: 0, scene: 0 } });
    } finally {
      await idle.stop();
    }
  });

  it('names the events there are when the event does not exist, and creates none', async () => {
    await expect(runReprocess(ctx, { event: 'partyy', stage: 'faces' })).rejects.toThrow(/No event named "partyy".*Events: party/);
    await withEngine(FACES_ON, async (engine) => expect(engine.catalogue.events.list().map((e) => e.name)).toEqual([EVENT]));
  });
});
