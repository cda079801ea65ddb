// Search recall through people: a selfie that clearly matches one of a person's faces also
// finds that person's photos where their face is farther than the threshold.
import { describe, expect, it } from 'vitest';
import { photosForEmbedding, tieredPhotosForEmbedding } from '../../../src/search/index.js';
import { cosineDistance } from '../../../src/vision/index.js';
import { useTempDatabase } from '../../support/database.js';
import { photoWithFace as addPhotoWithFace, vectorAt, vectorMixing } from '../../support/faces-in-database.js';

const temp = useTempDatabase();

const at = vectorAt;
const mix = vectorMixing;

/** A unit vector: e0, plus these weights on other axes. */
function lean(...weights: [axis: number, weight: number][]): Float32Array {
  const v = new Float32Array(128);
  v[0] = 1;
  for (const [axis, weight] of weights) v[axis] = weight;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}
const photoWithFace = (eventId: number, name: string, embedding: Float32Array) => addPhotoWithFace(temp.repos, eventId, name, embedding);

describe('selfie search through person clusters', () => {
  it("adds the clearly matched confirmed person's photos beyond the threshold, and nobody else's", () => {
    const T = 0.04;
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const front = photoWithFace(eventId, 'front.jpg', at(0.01));
    const profile = photoWithFace(eventId, 'profile.jpg', at(0.055, 2));
    const stranger = photoWithFace(eventId, 'stranger.jpg', at(0.05, 3));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([front.faceId, profile.faceId], person);
    const other = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([stranger.faceId], other);
    // The organiser named them: only confirmed persons vouch (automatic ones are grouped more loosely).
    temp.repos.persons.confirmPersons([person, other], 0);

    const query = at(0);
    const withPeople = photosForEmbedding(temp.repos, eventId, query, { threshold: T, mode: 'exact' });
    expect(withPeople.map((m) => [m.path, m.via])).toEqual([
      ['/cam/front.jpg', 'face'],
      ['/cam/profile.jpg', 'person'],
    ]);
    const facesOnly = photosForEmbedding(temp.repos, eventId, query, { threshold: T, mode: 'exact', expandByPerson: false });
    expect(facesOnly.map((m) => m.path)).toEqual(['/cam/front.jpg']);
  });

  it("does not pull in an automatic person's photos through one clear match: clustering links faces more loosely than a search may", () => {
    const T = 0.04;
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const front = photoWithFace(eventId, 'front.jpg', at(0.01));
    const lookAlike = photoWithFace(eventId, 'look-alike.jpg', at(0.055, 2));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([front.faceId, lookAlike.faceId], person);
    expect(photosForEmbedding(temp.repos, eventId, at(0), { threshold: T, mode: 'exact' }).map((m) => m.path)).toEqual(['/cam/front.jpg']);
  });

  it('does not expand from a borderline match', () => {
    const T = 0.04;
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const near = photoWithFace(eventId, 'near.jpg', at(0.035));
    const far = photoWithFace(eventId, 'far.jpg', at(0.05, 2));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([near.faceId, far.faceId], person);
    temp.repos.persons.confirmPersons([person], 0);
    expect(photosForEmbedding(temp.repos, eventId, at(0), { threshold: T, mode: 'exact' }).map((m) => m.path)).toEqual(['/cam/near.jpg']);
  });
});

describe("selfie search through an automatic person's centre", () => {
  // Search distance; the person-centre distance, the reach of a vouched person's face (the pair
  // threshold) and the average distance at which the persons a search reads are grouped again.
  const T = 0.04;
  const options = { threshold: T, mode: 'exact' as const, personCentres: { threshold: 0.03, reach: 0.1, regroup: 0.07 } };
  // The selfie is e0. Her event photos lean towards e1, a look-alike's towards e3: each person's
  // photos are nearer one another than to the selfie, as on real event photos.
  const selfie = lean();
  const her = { one: lean([1, 0.2]), two: lean([1, 0.25]), sideOn: lean([1, 0.3], [2, 0.35]) };
  const lookAlike = { close: lean([3, 0.28]), two: lean([3, 0.45]), three: lean([3, 0.45], [4, 0.1]), four: lean([3, 0.43], [5, 0.12]) };
  const automaticPerson = (eventId: number, faces: readonly { faceId: number }[]) => {
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson(
      faces.map((f) => f.faceId),
      person,
    );
    // Its face count, as the engine keeps it.
    temp.repos.persons.refreshPersons([person], 0);
    return person;
  };
  const herPhotos = (eventId: number) => [
    photoWithFace(eventId, 'her-1.jpg', her.one),
    photoWithFace(eventId, 'her-2.jpg', her.two),
    photoWithFace(eventId, 'her-side-on.jpg', her.sideOn),
  ];
  const lookAlikePhotos = (eventId: number) => [
    photoWithFace(eventId, 'look-alike-close.jpg', lookAlike.close),
    photoWithFace(eventId, 'look-alike-2.jpg', lookAlike.two),
    photoWithFace(eventId, 'look-alike-3.jpg', lookAlike.three),
    photoWithFace(eventId, 'look-alike-4.jpg', lookAlike.four),
  ];
  const sureOnes = ['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/look-alike-close.jpg'];

  it('the geometry: her side-on photo and his other photos are beyond every search distance, and as near the selfie', () => {
    for (const v of [her.sideOn, lookAlike.two, lookAlike.three, lookAlike.four]) {
      expect(cosineDistance(selfie, v)).toBeGreaterThan(0.07);
      expect(cosineDistance(selfie, v)).toBeLessThan(options.personCentres.reach);
    }
    expect(cosineDistance(selfie, lookAlike.close)).toBeLessThan(T);
  });

  it("adds her automatic person's photo beyond every search distance, and not a look-alike's whose face she matched", () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    automaticPerson(eventId, herPhotos(eventId));
    automaticPerson(eventId, lookAlikePhotos(eventId));

    const found = photosForEmbedding(temp.repos, eventId, selfie, options);
    expect(found.map((m) => m.path)).toEqual([...sureOnes, '/cam/her-side-on.jpg']);
    expect(found.at(-1)?.via).toBe('person');
    // Without the rule (as before it, and for automatic persons under the face-by-face rule) the side-on photo is missed.
    const withoutCentres = photosForEmbedding(temp.repos, eventId, selfie, { threshold: T, mode: 'exact' });
    expect(withoutCentres.map((m) => m.path)).toEqual(sureOnes);
  });

  it('keeps a look-alike out when the live grouping put him and her into one person', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    automaticPerson(eventId, [...herPhotos(eventId), ...lookAlikePhotos(eventId)]);

    const found = photosForEmbedding(temp.repos, eventId, selfie, options);
    expect(found.map((m) => m.path)).toEqual([...sureOnes, '/cam/her-side-on.jpg']);
    // Taken as grouped (as before the search grouped persons again), the mixed person vouched for all his photos.
    const asGrouped = photosForEmbedding(temp.repos, eventId, selfie, {
      ...options,
      personCentres: { ...options.personCentres, regroupMaxFaces: 0 },
    });
    expect(asGrouped.map((m) => m.path)).toContain('/cam/look-alike-3.jpg');
  });

  it('finds the photos of a piece of her that the live grouping split off and no sure match touched', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    automaticPerson(eventId, herPhotos(eventId));
    // Her from behind and turned away: beyond the search distance of the selfie and of its expanded
    // query, within the group distance of both and of her other photos, in a person of their own.
    automaticPerson(eventId, [
      photoWithFace(eventId, 'her-turned.jpg', lean([1, 0.4], [7, 0.25])),
      photoWithFace(eventId, 'her-turned-2.jpg', lean([1, 0.42], [8, 0.22])),
    ]);
    const found = photosForEmbedding(temp.repos, eventId, selfie, options);
    expect(found.map((m) => m.path).sort()).toEqual(
      ['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/her-side-on.jpg', '/cam/her-turned.jpg', '/cam/her-turned-2.jpg'].sort(),
    );
    // Reading only the persons the sure matches touched (as before), the piece is missed.
    const touchedOnly = photosForEmbedding(temp.repos, eventId, selfie, {
      ...options,
      personCentres: { ...options.personCentres, joinPieces: false },
    });
    expect(touchedOnly.map((m) => m.path).sort()).toEqual(['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/her-side-on.jpg']);
  });

  it('still groups the touched persons again when the pieces near her would take the faces past the bound', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    automaticPerson(eventId, [...herPhotos(eventId), ...lookAlikePhotos(eventId)]);
    automaticPerson(eventId, [
      photoWithFace(eventId, 'her-turned.jpg', lean([1, 0.4], [7, 0.25])),
      photoWithFace(eventId, 'her-turned-2.jpg', lean([1, 0.42], [8, 0.22])),
    ]);
    // 7 faces touched, 2 more in the piece: past a bound of 8 the piece is left out, and the
    // mixed person is still grouped again (taken as it is, it would vouch for his photos).
    const found = photosForEmbedding(temp.repos, eventId, selfie, {
      ...options,
      personCentres: { ...options.personCentres, regroupMaxFaces: 8 },
    });
    expect(found.map((m) => m.path)).toEqual([...sureOnes, '/cam/her-side-on.jpg']);
  });

  it("does not group a stranger's lone face with her only photo: a piece joins several of her faces, never one", () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const herOnly = lean([1, 0.2]);
    const stranger = lean([1, 0.25], [12, 0.3]);
    // The stranger is beyond the search distance of the selfie and of its expanded query, within
    // the group distance of both and of her one photo, and in a person of his own.
    const query = lean([1, 0.1]); // the expanded query: the selfie and her one photo averaged
    expect(cosineDistance(query, stranger)).toBeGreaterThan(T);
    expect(cosineDistance(query, stranger)).toBeLessThan(options.personCentres.regroup);
    expect(cosineDistance(herOnly, stranger)).toBeLessThan(options.personCentres.regroup);
    automaticPerson(eventId, [photoWithFace(eventId, 'her-1.jpg', herOnly)]);
    automaticPerson(eventId, [photoWithFace(eventId, 'stranger.jpg', stranger)]);
    expect(photosForEmbedding(temp.repos, eventId, selfie, options).map((m) => m.path)).toEqual(['/cam/her-1.jpg']);
  });

  describe("a look-alike's piece near her", () => {
    // His lone face: beyond the search distances, within the group distance of the expanded query
    // and of her photos, but nearer his own person, whose photos are all beyond the group distance
    // of her query (so only a piece's neighbours bring them into the search).
    const hisPiece = lean([1, 0.3], [3, 0.25], [11, 0.15]);
    const hisOwn = [lean([1, 0.1], [3, 0.4]), lean([1, 0.12], [3, 0.4], [9, 0.1]), lean([1, 0.08], [3, 0.4], [10, 0.1])];
    const event = (withHisOwnPhotos: boolean) => {
      const eventId = temp.repos.events.ensureEvent('gala', 0).id;
      automaticPerson(eventId, herPhotos(eventId));
      automaticPerson(eventId, [photoWithFace(eventId, 'his-piece.jpg', hisPiece)]);
      if (withHisOwnPhotos)
        automaticPerson(
          eventId,
          hisOwn.map((v, i) => photoWithFace(eventId, `his-${i + 1}.jpg`, v)),
        );
      return eventId;
    };

    it('joins his own person, not hers', () => {
      const found = photosForEmbedding(temp.repos, event(true), selfie, options);
      expect(found.map((m) => m.path).sort()).toEqual(['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/her-side-on.jpg']);
    });

    it('the geometry: without his own photos in the event it would be grouped with hers', () => {
      const found = photosForEmbedding(temp.repos, event(false), selfie, options);
      expect(found.map((m) => m.path)).toContain('/cam/his-piece.jpg');
    });
  });

  it('does not add a face of her person beyond the pair threshold: the centre vouches for the person, not for every face in it', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const faces = [
      photoWithFace(eventId, 'her-1.jpg', at(0.01)),
      photoWithFace(eventId, 'her-2.jpg', at(0.015)),
      photoWithFace(eventId, 'her-3.jpg', at(0.02)),
      photoWithFace(eventId, 'stranger-grouped-in.jpg', at(0.3, 2)),
    ];
    automaticPerson(eventId, faces);
    const found = photosForEmbedding(temp.repos, eventId, at(0), options);
    expect(found.map((m) => m.path)).toEqual(['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/her-3.jpg']);
  });
});

describe('selfie search through its own surest matches (query expansion)', () => {
  it('finds a photo beyond the threshold from the selfie that looks like the photos it surely matched, and no stranger', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    // The selfie is e0; her event photos lean towards e1; the stranger leans the other way.
    photoWithFace(eventId, 'her-1.jpg', mix(1, 0.22, 0));
    photoWithFace(eventId, 'her-2.jpg', mix(1, 0.24, 0));
    photoWithFace(eventId, 'her-profile.jpg', mix(1, 0.36, 0));
    photoWithFace(eventId, 'stranger.jpg', mix(1, 0, 0.36));
    const selfie = mix(1, 0, 0);
    const T = 0.04;
    expect(cosineDistance(selfie, mix(1, 0.36, 0))).toBeGreaterThan(T);
    const withExpansion = photosForEmbedding(temp.repos, eventId, selfie, { threshold: T, mode: 'exact' });
    expect(withExpansion.map((m) => m.path).sort()).toEqual(['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/her-profile.jpg']);
  });

  it('gives the same photos whatever the order the event stored them in', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    photoWithFace(eventId, 'her-profile.jpg', mix(1, 0.36, 0));
    photoWithFace(eventId, 'her-2.jpg', mix(1, 0.24, 0));
    photoWithFace(eventId, 'her-1.jpg', mix(1, 0.22, 0));
    const found = photosForEmbedding(temp.repos, eventId, mix(1, 0, 0), { threshold: 0.04, mode: 'exact' });
    expect(found.map((m) => m.path).sort()).toEqual(['/cam/her-1.jpg', '/cam/her-2.jpg', '/cam/her-profile.jpg']);
  });
});

describe('"maybe you?" photos', () => {
  it('are the photos just beyond the sure threshold, kept apart from the sure ones, nearest first, and never a stranger beyond the maybe threshold', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    photoWithFace(eventId, 'sure.jpg', at(0.02));
    photoWithFace(eventId, 'maybe-far.jpg', at(0.065, 2));
    photoWithFace(eventId, 'maybe-near.jpg', at(0.05, 3));
    photoWithFace(eventId, 'stranger.jpg', at(0.2, 4));
    const found = tieredPhotosForEmbedding(temp.repos, eventId, at(0), { threshold: 0.04, maybeThreshold: 0.07, mode: 'exact' });
    expect(found.sure.map((m) => m.path)).toEqual(['/cam/sure.jpg']);
    expect(found.maybe.map((m) => m.path)).toEqual(['/cam/maybe-near.jpg', '/cam/maybe-far.jpg']);
  });

  it('include a photo near the ones she surely matched even when it is beyond the maybe distance from the selfie itself, and no stranger', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    // The selfie is e0; her event photos lean towards e1, one of them far; the stranger leans the other way as far.
    photoWithFace(eventId, 'her-1.jpg', mix(1, 0.22, 0));
    photoWithFace(eventId, 'her-2.jpg', mix(1, 0.24, 0));
    photoWithFace(eventId, 'her-far.jpg', mix(1, 0.5, 0));
    photoWithFace(eventId, 'stranger.jpg', mix(1, 0, 0.5));
    const selfie = mix(1, 0, 0);
    expect(cosineDistance(selfie, mix(1, 0.5, 0))).toBeGreaterThan(0.07);
    const found = tieredPhotosForEmbedding(temp.repos, eventId, selfie, { threshold: 0.04, maybeThreshold: 0.07, mode: 'exact' });
    expect(found.sure.map((m) => m.path).sort()).toEqual(['/cam/her-1.jpg', '/cam/her-2.jpg']);
    expect(found.maybe.map((m) => m.path)).toEqual(['/cam/her-far.jpg']);
  });

  it('never repeat a photo the person expansion already made sure', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const front = photoWithFace(eventId, 'front.jpg', at(0.01));
    const profile = photoWithFace(eventId, 'profile.jpg', at(0.055, 2));
    const person = temp.repos.persons.createPerson(eventId, 0);
    temp.repos.persons.setFacePerson([front.faceId, profile.faceId], person);
    temp.repos.persons.confirmPersons([person], 0);
    const found = tieredPhotosForEmbedding(temp.repos, eventId, at(0), { threshold: 0.04, maybeThreshold: 0.07, mode: 'exact' });
    expect(found.sure.map((m) => m.path)).toEqual(['/cam/front.jpg', '/cam/profile.jpg']);
    expect(found.maybe).toEqual([]);
  });
});

describe('"Maybe you?" faces the attendee confirms', () => {
  it('bring back the photos near them as sure ones, and no stranger', () => {
    const eventId = temp.repos.events.ensureEvent('gala', 0).id;
    const T = 0.04;
    const maybeThreshold = 0.08;
    // The selfie is e0. Her photo in the "maybe" band leans towards e1; a second photo of her
    // leans further, beyond even the "maybe" band from the selfie; the stranger leans towards e3.
    const maybe = photoWithFace(eventId, 'her-maybe.jpg', mix(1, 0.4, 0));
    photoWithFace(eventId, 'her-further.jpg', mix(1, 0.5, 0));
    photoWithFace(eventId, 'stranger.jpg', mix(1, 0, 0.5));
    const selfie = mix(1, 0, 0);
    expect(cosineDistance(selfie, mix(1, 0.5, 0))).toBeGreaterThan(maybeThreshold);
    expect(cosineDistance(selfie, mix(1, 0, 0.5))).toBeGreaterThan(maybeThreshold);
    const options = { threshold: T, maybeThreshold, mode: 'exact' as const };

    const before = tieredPhotosForEmbedding(temp.repos, eventId, selfie, options);
    expect(before.sure).toEqual([]);
    expect(before.maybe.map((m) => [m.path, m.faceId])).toEqual([['/cam/her-maybe.jpg', maybe.faceId]]);

    const confirmed = temp.repos.faceVectors.vectorsOf([maybe.faceId]).filter((v): v is Float32Array => v !== undefined);
    const after = tieredPhotosForEmbedding(temp.repos, eventId, selfie, { ...options, confirmedFaces: confirmed });
    expect(after.sure.map((m) => m.path).sort()).toEqual(['/cam/her-further.jpg', '/cam/her-maybe.jpg']);
    expect([...after.sure, ...after.maybe].map((m) => m.path)).not.toContain('/cam/stranger.jpg');
  });
});
