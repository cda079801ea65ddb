import { describe, expect, it } from 'vitest';
import { diffState, payloadDigest, sentKey, type EntityPayload } from '../../../src/sync/state-differ.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const photo = (sha256: string, fileName = 'IMG_1.JPG'): EntityPayload => ({
  entityKind: 'photo',
  entityKey: sha256,
  op: { kind: 'photo.put', sha256, fileName, capturedAt: null, width: 10, height: 10, thumb: null, preview: null, original: null },
});
const person = (personId: number, name: string | null = null): EntityPayload => ({
  entityKind: 'person',
  entityKey: String(personId),
  op: { kind: 'person.put', personId, name, doNotPublish: false },
});
const face = (faceId: number, photoSha256: string, personId: number | null): EntityPayload => ({
  entityKind: 'face',
  entityKey: String(faceId),
  op: { kind: 'face.put', faceId, photoSha256, box: [1, 2, 3, 4], personId, descriptor: null },
});
const delivery = (deliveryId: number): EntityPayload => ({
  entityKind: 'delivery',
  entityKey: String(deliveryId),
  op: {
    kind: 'delivery.put',
    deliveryId,
    channel: 'email',
    address: 'a@b.example',
    galleryTokenHash: null,
    photoSha256s: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  },
});
const sentAs = (...payloads: EntityPayload[]) => new Map(payloads.map((p) => [sentKey(p.entityKind, p.entityKey), payloadDigest(p.op)]));
const kinds = (current: EntityPayload[], sent: Map<string, string>) =>
  diffState(current, sent).map((c) => c.op?.kind ?? `forget ${c.entityKind}`);

describe('the state differ: what changed since the last operations', () => {
  it.each([
    [
      'a new event sends everything, persons before photos before faces',
      [face(1, SHA_A, 7), photo(SHA_A), person(7)],
      sentAs(),
      ['person.put', 'photo.put', 'face.put'],
    ],
    ['nothing when nothing changed', [photo(SHA_A), person(7)], sentAs(photo(SHA_A), person(7)), []],
    ['a renamed person is sent again', [person(7, 'Ana')], sentAs(person(7)), ['person.put']],
    ['a photo that is gone becomes a tombstone', [photo(SHA_A)], sentAs(photo(SHA_A), photo(SHA_B)), ['photo.remove']],
    [
      'faces of a removed photo go before it, a merged-away person after the faces that moved',
      [person(8), face(2, SHA_B, 8), photo(SHA_B)],
      sentAs(person(7), person(8), photo(SHA_A), photo(SHA_B), face(1, SHA_A, 7), face(2, SHA_B, 7)),
      ['face.remove', 'face.put', 'photo.remove', 'person.remove'],
    ],
    ['a sent delivery leaves quietly (the endpoint sent it)', [], sentAs(delivery(3)), ['forget delivery']],
  ])('%s', (_name, current, sent, expected) => {
    expect(kinds(current, sent)).toEqual(expected);
  });

  it('gives the digest to record with each put, and forgets it with each removal', () => {
    const changes = diffState([person(7, 'Ana')], sentAs(person(7), photo(SHA_A)));
    expect(changes).toEqual([
      { entityKind: 'person', entityKey: '7', op: person(7, 'Ana').op, digest: payloadDigest(person(7, 'Ana').op) },
      { entityKind: 'photo', entityKey: SHA_A, op: { kind: 'photo.remove', sha256: SHA_A }, digest: null },
    ]);
  });

  it('digests a payload the same whatever the order of its fields', () => {
    const a = { kind: 'person.put', personId: 1, name: 'Ana', doNotPublish: true } as const;
    const b = { doNotPublish: true, name: 'Ana', personId: 1, kind: 'person.put' } as const;
    expect(payloadDigest(a)).toBe(payloadDigest(b));
    expect(payloadDigest(a)).not.toBe(payloadDigest({ ...a, name: 'Ana ' }));
  });
});
