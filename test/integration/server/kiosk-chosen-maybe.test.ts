// A "Maybe you?" photo the attendee takes home is a face she said is hers: when she also asks for
// new photos of her, the kiosk keeps that face with her description (what it adds to her new
// photos is tested on stored vectors in follower-matching.test.ts), and keeps nothing of it when
// she does not. Each "Maybe you?" photo also brings the face it matched, close up, for her to
// judge by, and never a face that must not be published. The server runs with a match configuration whose sure threshold nothing can reach,
// so every photo of her lands under "Maybe you?" (as kiosk-maybe.spec.ts does).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChosenFace } from '../../../src/store/index.js';
import type { KioskResults } from '../../../src/api/index.js';
import { matchThresholdPath } from '../../../src/vision/index.js';
import type { FaceBox } from '../../fixtures/fake-camera.js';
import {
  byNumber,
  dropHerPhotos,
  jsonBody,
  pairKiosk,
  rightmostFaceOf,
  startServedEvent,
  withDatabase,
  type Kiosk,
  type ServedEvent,
} from './served-event.js';

function onlyMaybeConfig(): string {
  const shipped = JSON.parse(readFileSync(matchThresholdPath(), 'utf8')) as { searchThreshold: number };
  const file = join(mkdtempSync(join(tmpdir(), 'shutterfind-maybe-')), 'match-threshold.json');
  writeFileSync(file, JSON.stringify({ ...shipped, searchThreshold: 1e-6, maybeThreshold: shipped.searchThreshold }));
  return file;
}

let ev: ServedEvent;
let ids: Awaited<ReturnType<typeof dropHerPhotos>>['ids'];
let selfie: Buffer;
let kiosk: Kiosk;
/** Her face in her photo, in the original's pixels. */
let herFace: FaceBox;

beforeAll(async () => {
  // Read when the engine loads its thresholds, in this test file's own worker.
  process.env.SHUTTERFIND_MATCH_CONFIG = onlyMaybeConfig();
  ev = await startServedEvent();
  const dropped = await dropHerPhotos(ev);
  ({ ids, selfie } = dropped);
  herFace = rightmostFaceOf(dropped.her);
  kiosk = await pairKiosk(ev, 'Entrance kiosk');
});

afterAll(async () => {
  await ev?.close();
  delete process.env.SHUTTERFIND_MATCH_CONFIG;
});

const chosenFaces = (sessionId: string): ChosenFace[] | null =>
  withDatabase(ev, (db) => {
    const row = db.prepare('SELECT chosen_faces_json FROM kiosk_sessions WHERE id = ?').get(sessionId) as {
      chosen_faces_json: string | null;
    };
    return row.chosen_faces_json === null ? null : (JSON.parse(row.chosen_faces_json) as ChosenFace[]);
  });

/** A visit: her selfie, the one "Maybe you?" photo taken home (after `meanwhile`), the session ended. */
async function visit(notifyOptIn: boolean, meanwhile?: () => Promise<void>): Promise<string> {
  const { sessionId } = await kiosk.startSession();
  const res = await kiosk.search(sessionId, selfie);
  const results = (await res.json()) as KioskResults;
  expect(results.matches).toEqual([]);
  expect(results.maybe.map((m) => m.photoId).sort(byNumber)).toEqual([ids.her, ids.herMirrored].sort(byNumber));
  await meanwhile?.();
  const taken = await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/take-home`, {
    method: 'POST',
    ...jsonBody({ photoIds: [ids.her], contact: { channel: 'email', address: 'her@example.com' }, notifyOptIn }),
  });
  expect(taken.status).toBe(200);
  expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/end`, { method: 'POST' })).status).toBe(204);
  return sessionId;
}

/** What the session showed (each photo with the face it matched by), kept only while it runs. */
const shownFaces = (sessionId: string): string | null =>
  withDatabase(ev, (db) => {
    const row = db.prepare('SELECT shown_faces_json FROM kiosk_sessions WHERE id = ?').get(sessionId) as {
      shown_faces_json: string | null;
    };
    return row.shown_faces_json;
  });

/** Her face in the one photo she took home: the face the kiosk matched her by, the one the selfie was cut from, not the other person's. */
function expectHerFaceKept(sessionId: string): void {
  const kept = chosenFaces(sessionId);
  expect(kept).toHaveLength(1);
  expect(kept![0]).toMatchObject({ photoId: ids.her });
  const [x, y] = kept![0]!.box;
  expect(x).toBeCloseTo(herFace.x, 0);
  expect(y).toBeCloseTo(herFace.y, 0);
}

describe('a "Maybe you?" photo taken home', () => {
  it('keeps her face in it with her description when she asks for new photos of her', async () => {
    expectHerFaceKept(await visit(true));
  });

  it('keeps her face in it when the laptop restarted between her search and taking it home', async () => {
    expectHerFaceKept(await visit(true, () => ev.restart()));
  });

  it('keeps nothing of it when she does not', async () => {
    const sessionId = await visit(false);
    expect(chosenFaces(sessionId)).toBeNull();
  });

  it('forgets which faces the session showed once it ends, whether or not she asked for new photos', async () => {
    const { sessionId } = await kiosk.startSession();
    expect((await kiosk.search(sessionId, selfie)).status).toBe(200);
    expect(shownFaces(sessionId)).not.toBeNull();
    expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/end`, { method: 'POST' })).status).toBe(204);
    expect(shownFaces(sessionId)).toBeNull();
    expect(shownFaces(await visit(true))).toBeNull();
  });
});

describe('a "Maybe you?" photo\'s face, close up', () => {
  let sessionId: string;
  let results: KioskResults;

  beforeAll(async () => {
    sessionId = (await kiosk.startSession()).sessionId;
    results = (await (await kiosk.search(sessionId, selfie)).json()) as KioskResults;
  });

  /** Her face as the face stage stored it in her photo: the face whose box is hers. */
  const herStoredFace = () =>
    withDatabase(ev, (db) => {
      const faces = db.prepare('SELECT box_x, box_y, crop_path, person_id FROM faces WHERE photo_id = ?').all(ids.her) as {
        box_x: number;
        box_y: number;
        crop_path: string;
        person_id: number;
      }[];
      return faces.find((f) => Math.abs(f.box_x - herFace.x) < 2 && Math.abs(f.box_y - herFace.y) < 2)!;
    });

  it('comes with each "Maybe you?" photo: the face the selfie matched in it, hers and not the other person\'s', async () => {
    const maybe = results.maybe.find((m) => m.photoId === ids.her)!;
    expect(maybe.faceUrl).toBe(`/kiosk-api/sessions/${sessionId}/photos/${ids.her}/face`);
    const res = await kiosk.fetch(maybe.faceUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(readFileSync(join(ev.dataDir, herStoredFace().crop_path)))).toBe(true);
    expect(await sharp(bytes).metadata()).toMatchObject({ width: 150, height: 150 });
  });

  it('is not found for another kiosk, or for a photo the session did not show', async () => {
    const other = await pairKiosk(ev, 'Bar kiosk');
    expect((await other.fetch(`/kiosk-api/sessions/${sessionId}/photos/${ids.her}/face`)).status).toBe(404);
    expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/photos/${ids.other}/face`)).status).toBe(404);
  });

  it('is not shown once the face must not be published', async () => {
    await ev.operatorJson(`/api/people/${herStoredFace().person_id}/do-not-publish`, { method: 'POST', ...jsonBody({}) });
    expect((await kiosk.fetch(`/kiosk-api/sessions/${sessionId}/photos/${ids.her}/face`)).status).toBe(404);
  });
});
