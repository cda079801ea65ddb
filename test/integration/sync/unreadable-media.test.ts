// A media file listed for upload that the disk will not give back when its turn comes. Gone (the
// photo removed meanwhile) it leaves the list quietly; there but unreadable (no permission, a
// failing disk: here a link to itself, ELOOP, as the tests run as root) the sync stops and names
// the file, and the file stays listed, so it goes up once it reads again instead of being dropped
// and listed again at every sync.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sendBundle } from '../../../src/sync/blob-bundles.js';
import { uploadBlob } from '../../../src/sync/blob-upload.js';
import type { CloudClient } from '../../../src/sync/cloud-client.js';
import type { NewSyncBlob } from '../../../src/store/index.js';
import { useTempDatabase } from '../../support/database.js';

const temp = useTempDatabase();

/** The endpoint is never reached in these cases: a call fails the test. */
const unreachable = new Proxy({} as CloudClient, {
  get: (_, name) => () => {
    throw new Error(`the endpoint was asked (${String(name)}) for a file that could not be read`);
  },
});

/** An enrolled event with one thumbnail listed for upload, its file written. */
async function listedThumbnail(): Promise<{ eventId: number; blob: NewSyncBlob }> {
  const { db, repos, dir } = temp;
  const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run('Gala', Date.now()).lastInsertRowid);
  repos.sync.saveEnrolment(
    {
      eventId,
      endpoint: 'http://127.0.0.1:9',
      cloudEventId: 'cloud-1',
      cloudEventName: 'Gala',
      publicBaseUrl: 'http://127.0.0.1:9',
      deviceName: 'Test laptop',
      uploadOriginals: false,
      cloudFaceSearch: false,
      nextSeq: 1,
      deviceId: 'device-1',
    },
    Date.now(),
  );
  const bytes = Buffer.from('a thumbnail, small enough for a bundle');
  const path = join(dir, 't1.webp');
  await writeFile(path, bytes);
  const blob: NewSyncBlob = {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    kind: 'thumb',
    size: bytes.length,
    path,
    contentType: 'image/webp',
    waitedFor: false,
  };
  repos.sync.appendChanges(eventId, Date.now(), () => ({ ops: [], digests: [], hlc: { wall: 0, counter: 0 }, blobs: [blob] }));
  return { eventId, blob };
}

function depsOf(eventId: number) {
  return { repo: temp.repos.sync, client: unreachable, eventId, throttle: async () => undefined, sent: () => undefined, now: Date.now };
}

describe('a listed media file that cannot be read when its turn comes', () => {
  it('stops a bundle with the file named and keeps it listed; a file gone meanwhile just leaves the list', async () => {
    const { eventId, blob } = await listedThumbnail();
    await rm(blob.path);
    await symlink(blob.path, blob.path);
    const listed = temp.repos.sync.pendingBlobs(eventId, 10);
    await expect(sendBundle(depsOf(eventId), listed)).rejects.toThrow(`Could not read ${blob.path} to send it to the cloud (ELOOP)`);
    expect(temp.repos.sync.blobsLeft(eventId)).toEqual({ count: 1, bytes: blob.size });

    await rm(blob.path);
    const gone = await sendBundle(depsOf(eventId), listed);
    expect(gone).toEqual({ stored: 0, changed: [expect.objectContaining({ sha256: blob.sha256 })] });
    expect(temp.repos.sync.blobsLeft(eventId).count).toBe(0);
  });

  it('stops a multipart upload the same way before asking the endpoint for anything', async () => {
    const { eventId, blob } = await listedThumbnail();
    await rm(blob.path);
    await symlink(blob.path, blob.path);
    const [listed] = temp.repos.sync.pendingBlobs(eventId, 10);
    await expect(uploadBlob(depsOf(eventId), listed!)).rejects.toThrow(`Could not read ${blob.path} to send it to the cloud (ELOOP)`);
    expect(temp.repos.sync.blobsLeft(eventId).count).toBe(1);

    await rm(blob.path);
    await expect(uploadBlob(depsOf(eventId), listed!)).resolves.toBe('changed');
    expect(temp.repos.sync.blobsLeft(eventId).count).toBe(0);
  });
});
