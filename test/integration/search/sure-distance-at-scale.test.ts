// The kiosk's sure tier in a large event: a selfie is compared with every face, so the sure
// distance tightens past the event size it was calibrated for, and a borderline photo that a
// small event shows as sure is shown under "Maybe you?" instead (the attendee picks it or not).
import { describe, expect, it } from 'vitest';
import { createEventSearch, createFaceIndexCache, type KioskDistances } from '../../../src/search/index.js';
import { useTempDatabase } from '../../support/database.js';
import { photoWithFace, vectorAt } from '../../support/faces-in-database.js';

const temp = useTempDatabase();

// A sure distance of 0.04 up to 100 faces, 0.02 at 1,000 (one decade tighter).
const distances: KioskDistances = {
  threshold: 0.04,
  maybeThreshold: 0.1,
  personCentres: { threshold: 0.03, reach: 0.1, regroup: 0.07 },
  sureAtScale: { referenceFaces: 100, distancePerDecade: 0.02 },
};

function search() {
  return createEventSearch({
    repos: temp.repos,
    faceIndexes: createFaceIndexCache(temp.repos.faceVectors),
    analyseSelfie: () => Promise.reject(new Error('the selfie is given as a descriptor here')),
    distances,
    clipModel: () => null,
    provider: 'cpu',
  });
}

/** Her clear photo (0.01 from her selfie), her borderline one (0.03), and `strangers` others' faces far from her. */
function eventWith(name: string, strangers: number): number {
  const eventId = temp.repos.events.ensureEvent(name, 0).id;
  photoWithFace(temp.repos, eventId, `${name}-clear.jpg`, vectorAt(0.01));
  photoWithFace(temp.repos, eventId, `${name}-borderline.jpg`, vectorAt(0.03, 2));
  for (let i = 0; i < strangers; i++) photoWithFace(temp.repos, eventId, `${name}-guest-${i}.jpg`, vectorAt(0.6, 3 + (i % 120)));
  return eventId;
}

describe('the sure tier in a large event', () => {
  it('shows a borderline photo as sure in a small event, and under "Maybe you?" once the event has ten times the faces', () => {
    const selfie = vectorAt(0);
    const small = eventWith('small', 50);
    const large = eventWith('large', 998);
    const kiosk = search();

    const inSmall = kiosk.withConfirmedFaces(small, selfie, []);
    expect(inSmall.matches.map((m) => m.path)).toEqual(['/cam/small-clear.jpg', '/cam/small-borderline.jpg']);
    expect(inSmall.maybe).toEqual([]);

    const inLarge = kiosk.withConfirmedFaces(large, selfie, []);
    expect(inLarge.matches.map((m) => m.path)).toEqual(['/cam/large-clear.jpg']);
    expect(inLarge.maybe.map((m) => m.path)).toEqual(['/cam/large-borderline.jpg']);
  });
});
