// "Send me new photos of me": a new photo goes to an opted-in attendee when one of its faces is
// hers by the kiosk's sure tier: near her selfie, or near the selfie sharpened by the photos she
// was surely in.
import { describe, expect, it } from 'vitest';
import { createFollowerMatching } from '../../../src/kiosk/index.js';
import { cosineDistance } from '../../../src/vision/index.js';
import { useTempDatabase } from '../../support/database.js';
import { photoWithFace, vectorMixing as mix } from '../../support/faces-in-database.js';

const temp = useTempDatabase();
const T = 0.04;
const DAY = 86_400_000;

/** An attendee who took her shown photos home and asked for new ones: her selfie is kept. */
function follower(eventId: number, id: string, selfie: Float32Array, shown: readonly number[], now: number) {
  const kiosk = temp.repos.kiosks.addDevice(eventId, `Kiosk ${id}`, `token-hash-${id}`, now - DAY);
  temp.repos.kiosks.startSession(id, eventId, kiosk, now - 60_000, now + 600_000);
  temp.repos.kiosks.recordMatches(id, selfie, shown);
  temp.repos.kiosks.recordTakeHome(id, true, `email:${id}@example.com`);
  temp.repos.kiosks.endSession(id, now + 30 * DAY, now);
}

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
