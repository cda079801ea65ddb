import { describe, expect, it } from 'vitest';
import { syncOperation } from '../../../src/api/index.js';
import type { SyncSourceRows } from '../../../src/store/index.js';
import { eventPayloads } from '../../../src/sync/event-payloads.js';

const SHA = (c: string) => c.repeat(64);
const T = Date.UTC(2026, 5, 1, 14, 0, 0);
const rows: SyncSourceRows = {
  photos: [
    {
      id: 1,
      sha256: SHA('a'),
      fileName: 'IMG_1.JPG',
      path: '/cards/IMG_1.JPG',
      sizeBytes: 5000,
      capturedAt: T,
      width: 6000,
      height: 4000,
      format: 'jpeg',
      thumbnailPath: null,
      previewPath: null,
    },
    {
      id: 2,
      sha256: SHA('b'),
      fileName: 'IMG_2.JPG',
      path: '/cards/IMG_2.JPG',
      sizeBytes: 5000,
      capturedAt: null,
      width: null,
      height: null,
      format: 'jpeg',
      thumbnailPath: null,
      previewPath: null,
    },
  ],
  faces: [
    { id: 10, photoSha256: SHA('a'), box: [1, 2, 30, 40], personId: 5 },
    { id: 11, photoSha256: SHA('b'), box: [1, 2, 30, 40], personId: null },
  ],
  persons: [{ id: 5, name: 'Ana', doNotPublish: true }],
  links: [{ tokenHash: SHA('c'), photoIds: [1, 2, 99], createdAt: T, expiresAt: T + 86_400_000 }],
  deliveries: [{ id: 3, channel: 'email', address: 'ana@example.com', galleryTokenHash: SHA('c'), photoIds: [1], createdAt: T }],
};
const thumb = { sha256: SHA('d'), size: 3000 };

describe('what an event sends, as operations', () => {
  const payloads = eventPayloads({
    rows,
    blobs: new Map([[1, { thumb, preview: null, original: null }]]),
    descriptors: new Map([[10, 'AAAA']]),
  });

  it('sends only photos whose media are ready, and only their faces', () => {
    expect(payloads.filter((p) => p.entityKind === 'photo').map((p) => p.entityKey)).toEqual([SHA('a')]);
    expect(payloads.filter((p) => p.entityKind === 'face').map((p) => p.entityKey)).toEqual(['10']);
  });

  it('names photos in links and deliveries by content hash, leaving out photos not sent', () => {
    const link = payloads.find((p) => p.entityKind === 'gallery')!.op;
    expect(link).toMatchObject({ kind: 'gallery.put', photoSha256s: [SHA('a')], createdAt: new Date(T).toISOString() });
  });

  it("gives each take-home link the event's watermark when it is on, so a change of it is a change of every link", () => {
    const marked = eventPayloads({
      rows,
      blobs: new Map([[1, { thumb, preview: null, original: null }]]),
      descriptors: new Map(),
      watermark: '© Studio Lumen',
    });
    expect(marked.find((p) => p.entityKind === 'gallery')!.op).toMatchObject({ kind: 'gallery.put', watermark: '© Studio Lumen' });
    expect(payloads.find((p) => p.entityKind === 'gallery')!.op).toMatchObject({ kind: 'gallery.put', watermark: null });
    expect(
      syncOperation.safeParse({ seq: 1, hlc: '001700000000000-000000-device_1234', ...marked.find((p) => p.entityKind === 'gallery')!.op })
        .success,
    ).toBe(true);
  });

  it('makes only operations the endpoint accepts', () => {
    for (const p of payloads)
      expect(syncOperation.safeParse({ seq: 1, hlc: '001700000000000-000000-device_1234', ...p.op }).success).toBe(true);
  });

  it('carries a person’s "do not publish" mark and a face’s descriptor only when given', () => {
    expect(payloads.find((p) => p.entityKind === 'person')!.op).toEqual({
      kind: 'person.put',
      personId: 5,
      name: 'Ana',
      doNotPublish: true,
    });
    expect(payloads.find((p) => p.entityKind === 'face')!.op).toMatchObject({ descriptor: 'AAAA', personId: 5 });
  });
});
