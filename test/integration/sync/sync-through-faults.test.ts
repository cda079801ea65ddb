// Sync over a bad link, for real: the laptop reaches the endpoint (and its part addresses) only
// through the fault-injecting proxy, which resets a connection in the middle of a part, stalls,
// crawls at 2 Mbit/s with latency, or sees the endpoint restarted in the middle of the batches.
// Whatever happens, every photo, every operation and every email arrives exactly once.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlobStore } from '../../../src/cloud/blobs/index.js';
import { createCloudEvent, createMailer, startCloudServer, type CloudServer } from '../../../src/cloud/index.js';
import { createEventSync, type EventSync } from '../../../src/sync/index.js';
import { useTempDatabase } from '../../support/database.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { freePort } from '../cloud/cloud-harness.js';

const temp = useTempDatabase();
/** Small parts: a 60 kB preview is four of them, so a reset lands in the middle of a file. */
const PART_SIZE = 16 * 1024;
const PHOTOS = 10;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let postgres: TestPostgres;
let inbox: SmtpInbox;
let blobDir: string;
let databaseUrl: string;
let port: number;
let proxy: FaultProxy;
let server: CloudServer;

/** The endpoint on its port, reached by laptops through the proxy (its part addresses too). */
function startEndpoint(): Promise<CloudServer> {
  return startCloudServer({
    databaseUrl,
    blobs: openBlobStore(join(blobDir, 'store'), {
      publicBaseUrl: proxy.url,
      signingSecret: 'faults-test-signing-secret',
      partSize: PART_SIZE,
    }),
    publicBaseUrl: proxy.url,
    port,
    mailer: createMailer({ smtpUrl: inbox.url, from: 'photos@example.org' }),
    onError: () => undefined, // the restarts and resets are the point of these tests
  });
}

const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => (await server.db.pool.query(sql, params)).rows as T[];

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  inbox = await startSmtpInbox();
  blobDir = await makeTempDir('shutterfind-faults-blobs-');
  port = await freePort();
  proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
  server = await startEndpoint();
}, 120_000);

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await inbox?.close();
  await postgres?.stop();
  if (blobDir) await removeDir(blobDir);
});

interface LaptopEvent {
  eventId: number;
  sync: EventSync;
  /** sha256 of each photo's preview and thumbnail, as the laptop hashed them. */
  blobs: string[];
  addresses: string[];
}

/**
 * An event on the laptop: photos with a preview and a thumbnail of their own, `persons` persons,
 * and an attendee delivery with a take-home link per three photos.
 */
async function laptopEvent(name: string, opts: { persons?: number; maxOps?: number } = {}): Promise<LaptopEvent> {
  const { db, dir } = temp;
  const now = Date.now();
  const eventId = Number(db.prepare('INSERT INTO events (name, created_at) VALUES (?, ?)').run(name, now).lastInsertRowid);
  await mkdir(join(dir, 'media', name), { recursive: true });
  const blobs: string[] = [];
  const photoIds: number[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const preview = randomBytes(60_000);
    const thumb = randomBytes(4_000);
    await writeFile(join(dir, 'media', name, `p${i}.jpg`), preview);
    await writeFile(join(dir, 'media', name, `t${i}.webp`), thumb);
    blobs.push(createHash('sha256').update(preview).digest('hex'), createHash('sha256').update(thumb).digest('hex'));
    const sha = createHash('sha256').update(`${name}-${i}`).digest('hex');
    photoIds.push(
      Number(
        db
          .prepare(
            `INSERT INTO photos (event_id, path, file_name, sha256, size_bytes, status, landed_at, width, height, preview_path, thumbnail_path, updated_at)
             VALUES (?, ?, ?, ?, 5000000, 'ready', ?, 6000, 4000, ?, ?, ?)`,
          )
          .run(eventId, `/cards/IMG_${i}.JPG`, `IMG_${i}.JPG`, sha, now, `media/${name}/p${i}.jpg`, `media/${name}/t${i}.webp`, now)
          .lastInsertRowid,
      ),
    );
  }
  const addPerson = db.prepare('INSERT INTO persons (event_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < (opts.persons ?? 3); i++) addPerson.run(eventId, `Guest ${i}`, now, now);
  const addresses: string[] = [];
  for (let i = 0; i * 3 < PHOTOS; i++) {
    const address = `guest${i}.${name.toLowerCase()}@example.com`;
    const chosen = photoIds.slice(i * 3, i * 3 + 3);
    const tokenHash = createHash('sha256').update(`${name}-link-${i}`).digest('hex');
    temp.repos.galleries.addLink(tokenHash, eventId, null, chosen, now, now + 86_400_000);
    db.prepare(
      "INSERT INTO deliveries (event_id, channel, address, state, photo_ids_json, created_at) VALUES (?, 'email', ?, 'waiting', ?, ?)",
    ).run(eventId, address, JSON.stringify(chosen), now);
    addresses.push(address);
  }
  const sync = createEventSync({
    repo: temp.repos.sync,
    dataDir: dir,
    log: quiet,
    defaultDeviceName: 'Laptop',
    // Short timeouts and fast retries, so a stall is noticed and the loop comes back within seconds.
    timeouts: { connectMs: 2_000, responseMs: 3_000, minPartBytesPerSecond: 16 * 1024 },
    backoff: { baseMs: 100, maxMs: 1_000 },
    debounceMs: 50,
    ...(opts.maxOps ? { limits: { maxOps: opts.maxOps, maxBytes: 2 * 1024 * 1024 } } : {}),
    attendeeMediaPath: async (photoId, kind) => {
      const p = temp.repos.photos.getPhoto(photoId);
      return (kind === 'thumb' ? p?.thumbnailPath : p?.previewPath) ?? null;
    },
  });
  const created = await createCloudEvent(server.db, { name });
  await sync.enroll(eventId, { endpoint: proxy.url, joinCode: created.joinCode });
  return { eventId, sync, blobs, addresses };
}

/** The background loop (as in serve) until everything is acknowledged. */
async function syncUntilDone(ev: LaptopEvent, deadlineMs = 90_000): Promise<void> {
  ev.sync.start();
  try {
    await waitFor(
      () => {
        const v = ev.sync.view(ev.eventId);
        return v.state === 'idle' && v.opsLeft === 0 && v.blobsLeft === 0;
      },
      'the loop to deliver everything',
      deadlineMs,
    );
  } finally {
    await ev.sync.stop();
  }
}

/** Every photo, blob, operation and email of the event at the endpoint exactly once. */
async function expectExactlyOnce(ev: LaptopEvent): Promise<void> {
  const deviceId = ev.sync.deviceIdOf(ev.eventId);
  const view = ev.sync.view(ev.eventId);
  const photos = await query<{ n: string }>('SELECT count(*) AS n FROM photos WHERE cloud_event_id = $1', [view.cloudEventId]);
  expect(Number(photos[0]!.n)).toBe(PHOTOS);
  const stored = await query<{ sha256: string }>('SELECT sha256 FROM blobs WHERE cloud_event_id = $1 ORDER BY sha256', [view.cloudEventId]);
  expect(stored.map((b) => b.sha256)).toEqual([...ev.blobs].sort());
  // Each stored blob is whole: the bytes at the endpoint hash to what the laptop sent.
  for (const sha of ev.blobs) {
    const bytes = await readFile(join(blobDir, 'store', 'events', view.cloudEventId!, sha));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
  }
  // Operations: the applied batches cover 1…last exactly, with no overlap and no hole.
  const batches = await query<{ first: number; last: number }>(
    `SELECT (a.detail->>'firstSeq')::int AS first, (a.detail->>'lastSeq')::int AS last
       FROM uploads_audit a JOIN devices d ON d.id = a.device_pk
      WHERE a.what = 'ops' AND d.device_id = $1 AND a.cloud_event_id = $2 ORDER BY first`,
    [deviceId, view.cloudEventId],
  );
  const [device] = await query<{ next_seq: string }>('SELECT next_seq FROM devices WHERE device_id = $1 AND cloud_event_id = $2', [
    deviceId,
    view.cloudEventId,
  ]);
  let expected = 1;
  for (const b of batches) {
    expect(b.first).toBe(expected);
    expected = b.last + 1;
  }
  expect(expected).toBe(Number(device!.next_seq));
  // Emails: one per attendee, whichever retries happened.
  await waitFor(() => ev.addresses.every((a) => inbox.messages.some((m) => m.to.includes(a))), 'every email', 30_000);
  await waitFor(
    async () =>
      Number(
        (
          await query<{ n: string }>("SELECT count(*) AS n FROM deliveries WHERE cloud_event_id = $1 AND state = 'sent'", [
            view.cloudEventId,
          ])
        )[0]!.n,
      ) === ev.addresses.length,
    'every delivery marked sent',
  );
  for (const a of ev.addresses) expect(inbox.messages.filter((m) => m.to.includes(a))).toHaveLength(1);
}

describe('sync through a bad link', () => {
  it('gets every photo, operation and email through exactly once when a connection is reset in the middle of a part', async () => {
    const ev = await laptopEvent('Reset');
    // Past the operations, in the middle of the previews' parts.
    proxy.setFault({ kind: 'reset-after-bytes', bytes: 150_000 });
    await syncUntilDone(ev);
    await expectExactlyOnce(ev);
  });

  it('gets every thumbnail through exactly once when a connection is reset in the middle of their bundle', async () => {
    const ev = await laptopEvent('Bundle');
    // Slowed, so the fault can be switched between the last batch and the thumbnails' bundle (10 × 4 kB, one request).
    proxy.setFault({ kind: 'latency', ms: 40 });
    ev.sync.start();
    try {
      await waitFor(() => (ev.sync.view(ev.eventId).opsLeft === 0 ? true : undefined), 'the operations to be acknowledged', 30_000, 5);
      // The question of which files are missing is ~1.5 kB; 20 kB more is the middle of the bundle.
      proxy.setFault({ kind: 'reset-after-bytes', bytes: 22_000 });
      await waitFor(() => {
        const v = ev.sync.view(ev.eventId);
        return v.state === 'idle' && v.blobsLeft === 0 ? true : undefined;
      }, 'the loop to deliver everything');
    } finally {
      await ev.sync.stop();
      proxy.setFault({ kind: 'none' });
    }
    await expectExactlyOnce(ev);
    const view = ev.sync.view(ev.eventId);
    const bundled = await query<{ sha256: string; n: number }>(
      `SELECT detail->>'sha256' AS sha256, count(*)::int AS n FROM uploads_audit
        WHERE cloud_event_id = $1 AND what = 'blob' AND detail->>'bundled' = 'true' GROUP BY 1`,
      [view.cloudEventId],
    );
    // The ten thumbnails came in bundles, each counted once; the 60 kB previews (four parts each) as uploads.
    expect(bundled.map((b) => b.n)).toEqual(Array.from({ length: PHOTOS }, () => 1));
  });

  it('times out on a stalled link, says it is offline, and finishes once the link moves again', async () => {
    const ev = await laptopEvent('Stall');
    proxy.setFault({ kind: 'stall' });
    ev.sync.start();
    try {
      const offline = await waitFor(() => {
        const v = ev.sync.view(ev.eventId);
        return v.state === 'offline' ? v : undefined;
      }, 'the stalled requests to time out');
      expect(offline.lastError).toMatch(/reach|time/i);
      proxy.setFault({ kind: 'none' });
      await waitFor(() => {
        const v = ev.sync.view(ev.eventId);
        return v.state === 'idle' && v.opsLeft === 0 && v.blobsLeft === 0;
      }, 'the loop to finish once the link moves');
    } finally {
      await ev.sync.stop();
      proxy.setFault({ kind: 'none' });
    }
    await expectExactlyOnce(ev);
  });

  it('finishes over a 2 Mbit/s link, everything once', async () => {
    const ev = await laptopEvent('Slow');
    proxy.setFault({ kind: 'bandwidth', bitsPerSecond: 2_000_000 });
    try {
      await syncUntilDone(ev);
    } finally {
      proxy.setFault({ kind: 'none' });
    }
    await expectExactlyOnce(ev);
  });

  it('applies nothing twice when the endpoint restarts in the middle of the batches', async () => {
    // 1,200 persons in batches of 40: thirty-odd batches, slowed by latency so the restart lands among them.
    const ev = await laptopEvent('Restart', { persons: 1_200, maxOps: 40 });
    proxy.setFault({ kind: 'latency', ms: 40 });
    ev.sync.start();
    try {
      await waitFor(
        async () =>
          Number(
            (
              await query<{ next_seq: string }>('SELECT next_seq FROM devices WHERE device_id = $1 ORDER BY id DESC LIMIT 1', [
                ev.sync.deviceIdOf(ev.eventId),
              ])
            )[0]?.next_seq ?? 1,
          ) > 200,
        'some batches to be applied',
      );
      await server.close();
      server = await startEndpoint();
      await waitFor(() => {
        const v = ev.sync.view(ev.eventId);
        return v.state === 'idle' && v.opsLeft === 0 && v.blobsLeft === 0;
      }, 'the loop to finish after the restart');
    } finally {
      await ev.sync.stop();
      proxy.setFault({ kind: 'none' });
    }
    const [persons] = await query<{ n: string }>(
      'SELECT count(*) AS n FROM persons p JOIN devices d ON d.id = p.device_pk WHERE d.device_id = $1 AND d.cloud_event_id = $2',
      [ev.sync.deviceIdOf(ev.eventId), ev.sync.view(ev.eventId).cloudEventId],
    );
    expect(Number(persons!.n)).toBe(1_200);
    await expectExactlyOnce(ev);
  });
});
