// "Send me new photos of me": a new photo goes to an opted-in attendee when one of its faces is
// hers by the kiosk's sure tier: near her selfie, or near the selfie sharpened by the photos she
// was surely in.
import { describe, expect, it } from 'vitest';
import { createFollowerMatching, type FollowerMatching } from '../../../src/kiosk/index.js';
import type { ChosenFace } from '../../../src/store/index.js';
import { cosineDistance } from '../../../src/vision/index.js';
import { useTempDatabase } from '../../support/database.js';
import { faceAt, photoWithFace, vectorMixing as mix } from '../../support/faces-in-database.js';

const temp = useTempDatabase();
const T = 0.04;
const DAY = 86_400_000;

/**
 * An attendee who took her shown photos home and asked for new ones: her selfie is kept, with her
 * faces in the "Maybe you?" photos she took home (`chosen`).
 */
function follower(eventId: number, id: string, selfie: Float32Array, shown: readonly number[], now: number, chosen: ChosenFace[] = []) {
  const kiosk = temp.repos.kiosks.addDevice(eventId, `Kiosk ${id}`, `token-hash-${id}`, now - DAY);
  temp.repos.kiosks.startSession(id, eventId, kiosk, now - 60_000, now + 600_000);
  temp.repos.kiosks.recordMatches(id, selfie, shown);
  temp.repos.kiosks.recordTakeHome(id, true, `email:${id}@example.com`);
  temp.repos.kiosks.recordChosenFaces(id, chosen);
  temp.repos.kiosks.endSession(id, now + 30 * DAY, now);
}

/** Her face in a photo, as the kiosk records it when she takes that "Maybe you?" photo home. */
const chosenFace = (photoId: number): ChosenFace => {
  const face = temp.repos.faces.facesOfPhoto(photoId)[0]!;
  return { photoId, box: face.box };
};

describe('new photos for an attendee who asked for them', () => {
  it("delivers her new photo that looks like the photos she was surely in though it is beyond the sure distance from her selfie, and not a stranger's", () => {
    const now = Date.now();
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    // The selfie is e0; her event photos lean towards e1; the stranger leans the other way as far.
    const selfie = mix(1, 0, 0);
    const shown = [
      photoWithFace(temp.repos, eventId, 'her-1.jpg', mix(1, 0.22, 0)),
      photoWithFace(temp.repos, eventId, 'her-2.jpg', mix(1, 0.24, 0)),
    ];
    follower(
      eventId,
      'ana',
      selfie,
      shown.map((p) => p.photoId),
      now,
    );
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });

    const profile = photoWithFace(temp.repos, eventId, 'her-profile.jpg', mix(1, 0.36, 0));
    const stranger = photoWithFace(temp.repos, eventId, 'stranger.jpg', mix(1, 0, 0.36));
    // Both are as far from the selfie alone, beyond the sure distance.
    expect(cosineDistance(selfie, mix(1, 0.36, 0))).toBeGreaterThan(T);
    expect(cosineDistance(selfie, mix(1, 0, 0.36))).toBeCloseTo(cosineDistance(selfie, mix(1, 0.36, 0)), 6);

    expect(matching.newFaces(eventId, stranger.photoId, [stranger.faceId])).toEqual([]);
    const found = matching.newFaces(eventId, profile.photoId, [profile.faceId]);
    expect(found.map((f) => [f.sessionId, f.photoIds])).toEqual([['ana', [profile.photoId]]]);
    expect(temp.repos.kiosks.getSession('ana')?.matchedPhotoIds).toEqual([...shown.map((p) => p.photoId), profile.photoId]);
    // Delivered once: the same photo processed again brings nothing new.
    expect(matching.newFaces(eventId, profile.photoId, [profile.faceId])).toEqual([]);
  });

  it('delivers her new photo that looks like a "Maybe you?" photo she took home, and not to an attendee who was shown it and left it', () => {
    const now = Date.now();
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    // Beyond the sure distance of the selfie: shown under "Maybe you?".
    const maybe = photoWithFace(temp.repos, eventId, 'her-maybe.jpg', mix(1, 0.3, 0));
    expect(cosineDistance(mix(1, 0, 0), mix(1, 0.3, 0))).toBeGreaterThan(T);
    follower(eventId, 'ana', mix(1, 0, 0), [maybe.photoId], now, [chosenFace(maybe.photoId)]);
    // Another attendee with the same selfie was shown it too and left it.
    follower(eventId, 'dee', mix(1, 0, 0), [maybe.photoId], now);
    // Its faces found again since (`reprocess --stage faces`): her face is known by its place.
    const box = temp.repos.faces.facesOfPhoto(maybe.photoId)[0]!.box;
    describeFaces(eventId, maybe.photoId, [{ box, embedding: mix(1, 0.3, 0) }]);
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });

    expect(cosineDistance(mix(1, 0, 0), mix(1, 0.36, 0))).toBeGreaterThan(T);
    expectHersOnly(matching, eventId, 'ana', mix(1, 0, 0.36), mix(1, 0.36, 0));
  });

  it('goes on matching her new photos by the face she chose in a "Maybe you?" photo once its RAW and JPEG became one photo', () => {
    const now = Date.now();
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    // The kiosk showed her the photo made from the capture's RAW; its JPEG, written to another card
    // folder and ready later, is the photo kept.
    const raw = photoWithFace(temp.repos, eventId, 'IMG_0412.CR3', mix(1, 0.3, 0));
    const jpeg = photoWithFace(temp.repos, eventId, 'IMG_0412.JPG', mix(1, 0.3, 0));
    follower(eventId, 'ana', mix(1, 0, 0), [raw.photoId], now, [chosenFace(raw.photoId)]);
    temp.repos.pairs.mergeCapture(jpeg.photoId, raw.photoId, 'capture', now);
    expect(temp.repos.kiosks.getSession('ana')?.matchedPhotoIds).toEqual([jpeg.photoId]);
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });

    expectHersOnly(matching, eventId, 'ana', mix(1, 0, 0.36), mix(1, 0.36, 0));
  });

  it('delivers on the selfie alone when none of the photos she was shown is surely hers', () => {
    const now = Date.now();
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const maybeOnly = photoWithFace(temp.repos, eventId, 'maybe.jpg', mix(1, 0.36, 0));
    follower(eventId, 'ben', mix(1, 0, 0), [maybeOnly.photoId], now);
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });

    const far = photoWithFace(temp.repos, eventId, 'far.jpg', mix(1, 0.42, 0));
    const near = photoWithFace(temp.repos, eventId, 'near.jpg', mix(1, 0.1, 0));
    expect(matching.newFaces(eventId, far.photoId, [far.faceId])).toEqual([]);
    expect(matching.newFaces(eventId, near.photoId, [near.faceId]).map((f) => f.sessionId)).toEqual(['ben']);
  });
});

/**
 * Descriptors of two face networks: the same mixing, on axes of their own, so that a description
 * of one is as far from every face of the other as from a stranger (as measured between real
 * networks: match-calibration.md, "events described by another network").
 */
const network = (first: number) => (a: number, b: number, c: number) => {
  const v = new Float32Array(128);
  const n = Math.hypot(a, b, c);
  v[first] = a / n;
  v[first + 1] = b / n;
  v[first + 3] = c / n;
  return v;
};
const before = network(40);
const after = network(0);

type Box = [number, number, number, number];
const LEFT: Box = [100, 200, 300, 360];
const RIGHT: Box = [900, 220, 280, 340];

/** Faces of a photo described (again): each at its place, with its descriptor. */
function describeFaces(eventId: number, photoId: number, faces: readonly { box: Box; embedding: Float32Array }[]): number[] {
  const described = faces.map(({ box, embedding }) => faceAt(embedding, box));
  return temp.repos.faces.replaceFacesOfPhoto(photoId, eventId, described, 0).faceIds;
}

function photoOf(eventId: number, name: string, faces: readonly { box: Box; embedding: Float32Array }[]): number {
  const { photoId } = photoWithFace(temp.repos, eventId, name, faces[0]!.embedding);
  describeFaces(eventId, photoId, faces);
  return photoId;
}

/** A photo of a stranger alone arrives, then a new photo of her: she gets hers, and nobody his. */
function expectHersOnly(matching: FollowerMatching, eventId: number, sessionId: string, his: Float32Array, hers: Float32Array): number {
  expect(arrives(matching, eventId, 'him-alone.jpg', [{ box: LEFT, embedding: his }]).found).toEqual([]);
  const newOne = arrives(matching, eventId, 'her-dancing.jpg', [{ box: RIGHT, embedding: hers }]);
  expect(newOne.found).toEqual([[sessionId, [newOne.photoId]]]);
  return newOne.photoId;
}

/** A new photo processed: what the attendees following got from it. */
function arrives(matching: FollowerMatching, eventId: number, name: string, faces: readonly { box: Box; embedding: Float32Array }[]) {
  const photoId = photoOf(eventId, name, faces);
  const found = matching.newFaces(
    eventId,
    photoId,
    temp.repos.faces.facesOfPhoto(photoId).map((f) => f.id),
  );
  return { photoId, found: found.map((d) => [d.sessionId, d.photoIds]) };
}

describe('new photos for an attendee who asked for them, when the face network changes', () => {
  /**
   * Described by the earlier network: her photo with a stranger beside her, her `last` photo, and
   * one of her the kiosk missed (beyond the sure distance of her selfie then). Her faces noted;
   * then the missed photo and her first photo described again by the new network (new photos go
   * first in the queue), so that only her last photo is left for her description to wait for.
   */
  function waitingForHerLastPhoto(now: number, last: { name: string; faces: { box: Box; embedding: Float32Array }[] }) {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const got = [
      photoOf(eventId, 'her-and-him.jpg', [
        { box: LEFT, embedding: before(1, 0.2, 0) },
        { box: RIGHT, embedding: before(0, 0, 1) },
      ]),
      photoOf(eventId, last.name, last.faces),
    ];
    const missed = photoOf(eventId, 'her-missed.jpg', [{ box: LEFT, embedding: before(1, 0.5, 0) }]);
    follower(eventId, 'ana', before(1, 0, 0), got, now);
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });
    // Before the faces are described again: her face in each of her photos, noted by place.
    expect(matching.anchorFollowers(eventId, T)).toEqual({ anchored: 1, faces: 2, withoutFaces: 0 });
    // Meanwhile nothing is hers: her kept description is of the earlier network.
    const missedAgain = describeFaces(eventId, missed, [{ box: LEFT, embedding: after(1, 0.3, 0) }]);
    expect(matching.newFaces(eventId, missed, missedAgain)).toEqual([]);
    // Found again a little off its earlier place.
    const firstAgain = describeFaces(eventId, got[0]!, [
      { box: [104, 196, 296, 366], embedding: after(1, 0.2, 0) },
      { box: RIGHT, embedding: after(0, 0, 1) },
    ]);
    expect(matching.newFaces(eventId, got[0]!, firstAgain)).toEqual([]);
    return { eventId, got, missed, matching };
  }

  it('rebuilds her description from her faces in the photos she got, and goes on delivering her new photos and no stranger’s', () => {
    const now = Date.now();
    const { eventId, got, missed, matching } = waitingForHerLastPhoto(now, {
      name: 'her-and-him-2.jpg',
      faces: [
        { box: RIGHT, embedding: before(1, 0.22, 0) },
        { box: LEFT, embedding: before(0.1, 0, 1) },
      ],
    });

    // From her first face described again she is matched in the new network's terms.
    const newOne = expectHersOnly(matching, eventId, 'ana', after(0.1, 0, 1), after(1, 0.18, 0));

    // Her last photo described again: her photos described before it are looked for once.
    const secondAgain = describeFaces(eventId, got[1]!, [
      { box: RIGHT, embedding: after(1, 0.22, 0) },
      { box: LEFT, embedding: after(0.1, 0, 1) },
    ]);
    const caughtUp = matching.newFaces(eventId, got[1]!, secondAgain);
    expect(caughtUp.map((d) => [d.sessionId, d.photoIds])).toEqual([['ana', [missed]]]);
    expect(temp.repos.kiosks.getSession('ana')?.matchedPhotoIds.sort()).toEqual([...got, newOne, missed].sort());
  });

  /** Her last photo: alone, in a dark corner. */
  const IN_THE_DARK = { name: 'her-in-the-dark.jpg', faces: [{ box: RIGHT, embedding: before(1, 0.22, 0) }] };

  it('still looks for her missed photos when her last photo holds no face once described again', () => {
    const now = Date.now();
    const { eventId, got, missed, matching } = waitingForHerLastPhoto(now, IN_THE_DARK);
    // The new network's detector finds no face in her dark photo.
    expect(describeFaces(eventId, got[1]!, [])).toEqual([]);
    const caughtUp = matching.newFaces(eventId, got[1]!, []);
    expect(caughtUp.map((d) => [d.sessionId, d.photoIds])).toEqual([['ana', [missed]]]);
    expect(temp.repos.kiosks.getSession('ana')?.matchedPhotoIds.sort()).toEqual([...got, missed].sort());
  });

  it('still looks for her missed photos when her last photo cannot be described again', () => {
    const now = Date.now();
    const { eventId, got, missed, matching } = waitingForHerLastPhoto(now, IN_THE_DARK);
    // Its file was moved away: it keeps its faces of the earlier network, which cannot rebuild her.
    const caughtUp = matching.facesNotDescribedAgain(eventId, got[1]!);
    expect(caughtUp.map((d) => [d.sessionId, d.photoIds])).toEqual([['ana', [missed]]]);
    // Matched from her one face described again: her new photo is delivered, a stranger's is not.
    expectHersOnly(matching, eventId, 'ana', after(0.1, 0, 1), after(1, 0.18, 0));
  });

  it("still looks for her missed photos when her last photo is merged into its capture's JPEG", () => {
    const now = Date.now();
    const { eventId, got, missed, matching } = waitingForHerLastPhoto(now, IN_THE_DARK);
    // Her last photo was made from a RAW; its JPEG, from another card folder, is kept, and the
    // photo her description waited for is gone.
    const jpeg = photoOf(eventId, 'her-in-the-dark-jpeg.jpg', [{ box: RIGHT, embedding: after(1, 0.22, 0) }]);
    temp.repos.pairs.mergeCapture(jpeg, got[1]!, 'capture', now);
    const caughtUp = matching.photosGone(eventId);
    expect(caughtUp.map((d) => [d.sessionId, d.photoIds])).toEqual([['ana', [missed]]]);
    expect(temp.repos.kiosks.getSession('ana')?.matchedPhotoIds.sort()).toEqual([got[0]!, jpeg, missed].sort());
    // Nothing more the next time photos leave the event.
    expect(matching.photosGone(eventId)).toEqual([]);
  });

  it('rebuilds her from her face in a "Maybe you?" photo she took home when none of her photos surely shows her', () => {
    const now = Date.now();
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    // Beyond the sure distance of her selfie, beside a stranger; she took it home.
    const chosen = photoOf(eventId, 'her-with-him.jpg', [
      { box: LEFT, embedding: before(1, 0.4, 0) },
      { box: RIGHT, embedding: before(0.2, 0, 1) },
    ]);
    const hers = temp.repos.faces.facesOfPhoto(chosen).find((f) => f.box[0] === LEFT[0])!;
    follower(eventId, 'cara', before(1, 0, 0), [chosen], now, [{ photoId: chosen, box: hers.box }]);
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });
    expect(matching.anchorFollowers(eventId, T)).toEqual({ anchored: 1, faces: 1, withoutFaces: 0 });

    const again = describeFaces(eventId, chosen, [
      { box: LEFT, embedding: after(1, 0.4, 0) },
      { box: RIGHT, embedding: after(0.2, 0, 1) },
    ]);
    expect(matching.newFaces(eventId, chosen, again)).toEqual([]);
    expectHersOnly(matching, eventId, 'cara', after(0.2, 0, 1), after(1, 0.45, 0));
  });

  it('says so for an attendee none of whose photos surely shows her and who took none home, and delivers her nothing wrong', () => {
    const now = Date.now();
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const maybeOnly = photoOf(eventId, 'maybe.jpg', [{ box: LEFT, embedding: before(1, 0.5, 0) }]);
    follower(eventId, 'ben', before(1, 0, 0), [maybeOnly], now);
    const matching = createFollowerMatching({ repos: temp.repos, sureDistance: () => T, now: () => now });
    expect(matching.anchorFollowers(eventId, T)).toEqual({ anchored: 0, faces: 0, withoutFaces: 1 });
    const again = describeFaces(eventId, maybeOnly, [{ box: LEFT, embedding: after(1, 0.5, 0) }]);
    expect(matching.newFaces(eventId, maybeOnly, again)).toEqual([]);
    expect(arrives(matching, eventId, 'near-old-selfie.jpg', [{ box: LEFT, embedding: before(1, 0, 0) }]).found).toEqual([]);
  });
});
