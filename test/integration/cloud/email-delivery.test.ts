// Emails to opted-in attendees, against a real PostgreSQL (the cloud's own migrations) and a
// real SMTP server: each sent once, with a gallery link that opens, and the address forgotten.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GalleryView } from '../../../src/api/index.js';
import { openBlobStore } from '../../../src/cloud/blobs/index.js';
import { startCloudServer } from '../../../src/cloud/index.js';
import { hashSecret } from '../../../src/config/index.js';
import { migrateCloudDatabase, openCloudDatabase, openGallery, type CloudDatabase } from '../../../src/cloud/database/index.js';
import { createMailer, sendWaitingDeliveries, startDeliveryLoop, type Mailer } from '../../../src/cloud/email/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { freePort } from './cloud-harness.js';

const PUBLIC_BASE_URL = 'https://photos.example.org';
const KIOSK_TOKEN = 'kiosk-token-of-the-take-home-link-000000000';
const sha = (n: number) => n.toString(16).padStart(64, '0');

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

interface Cloud {
  url: string;
  db: CloudDatabase;
  devicePk: number;
  eventId: string;
}

/** A migrated cloud database with one event, one laptop, three photos and the kiosk's take-home link to two of them. */
async function cloudWithEvent(databaseUrl?: string): Promise<Cloud> {
  const url = databaseUrl ?? (await postgres.createDatabase());
  const db = openCloudDatabase(url);
  await migrateCloudDatabase(db);
  const eventId = 'evt_summer_party';
  await db.pool.query(`INSERT INTO cloud_events (id, name, organiser_token_hash) VALUES ($1, 'Summer Party', $2)`, [eventId, sha(999)]);
  const device = await db.pool.query<{ id: number }>(
    `INSERT INTO devices (cloud_event_id, device_id, name, token_hash) VALUES ($1, 'laptop-1', 'Laptop 1', $2) RETURNING id`,
    [eventId, sha(998)],
  );
  const devicePk = device.rows[0]!.id;
  for (const n of [1, 2, 3]) {
    const photo = await db.pool.query<{ id: number }>(
      `INSERT INTO photos (cloud_event_id, sha256, file_name) VALUES ($1, $2, $3) RETURNING id`,
      [eventId, sha(n), `IMG_000${n}.JPG`],
    );
    await db.pool.query(`INSERT INTO photo_sources (photo_id, device_pk, file_name, hlc) VALUES ($1, $2, $3, '1')`, [
      photo.rows[0]!.id,
      devicePk,
      `IMG_000${n}.JPG`,
    ]);
  }
  await db.pool.query(
    `INSERT INTO gallery_links (token_hash, cloud_event_id, device_pk, photo_sha256s, expires_at) VALUES ($1, $2, $3, $4, now() + interval '7 days')`,
    [hashSecret(KIOSK_TOKEN), eventId, devicePk, [sha(1), sha(2)]],
  );
  return { url, db, devicePk, eventId };
}

interface DeliverySeed {
  localId: number;
  address: string | null;
  channel?: 'email' | 'sms';
  viaKioskLink?: boolean;
  photos?: string[];
  state?: string;
}

async function addDelivery(cloud: Cloud, seed: DeliverySeed): Promise<number> {
  const { rows } = await cloud.db.pool.query<{ id: number }>(
    `INSERT INTO deliveries (cloud_event_id, device_pk, local_id, channel, address, gallery_token_hash, photo_sha256s, state)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      cloud.eventId,
      cloud.devicePk,
      seed.localId,
      seed.channel ?? 'email',
      seed.address,
      seed.viaKioskLink === false ? null : hashSecret(KIOSK_TOKEN),
      seed.photos ?? [sha(1), sha(2)],
      seed.state ?? 'waiting',
    ],
  );
  return rows[0]!.id;
}

interface DeliveryRow {
  id: number;
  state: string;
  address: string | null;
  message_id: string | null;
  sent_at: Date | null;
  error: string | null;
  attempts: number;
}

async function deliveries(cloud: Cloud): Promise<DeliveryRow[]> {
  const { rows } = await cloud.db.pool.query<DeliveryRow>(
    'SELECT id, state, address, message_id, sent_at, error, attempts FROM deliveries ORDER BY id',
  );
  return rows;
}

const linkIn = (text: string): string => {
  const match = /https:\/\/photos\.example\.org\/g\/([A-Za-z0-9_-]{43})/.exec(text);
  if (!match) throw new Error(`No gallery link in the email:\n${text}`);
  return match[1]!;
};

describe('emails to attendees', () => {
  let cloud: Cloud;
  let inbox: SmtpInbox;
  let mailer: Mailer;
  const closers: (() => Promise<void> | void)[] = [];

  beforeEach(async () => {
    cloud = await cloudWithEvent();
    inbox = await startSmtpInbox();
    mailer = createMailer({ smtpUrl: inbox.url, from: '"Shutterfind" <photos@example.org>' });
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    mailer.close();
    await inbox.close();
    await cloud.db.close();
  });

  const send = (m: Mailer = mailer) => sendWaitingDeliveries({ pool: cloud.db.pool, mailer: m, publicBaseUrl: PUBLIC_BASE_URL });

  it('mails each waiting delivery once, with a link that opens on its photos, and forgets the address', async () => {
    const viaKiosk = await addDelivery(cloud, { localId: 1, address: 'ana@example.org' });
    const ownPhotos = await addDelivery(cloud, { localId: 2, address: 'ben@example.org', viaKioskLink: false, photos: [sha(3)] });
    await addDelivery(cloud, { localId: 3, address: '+441234567890', channel: 'sms' });

    expect(await send()).toEqual({ sent: 2, failed: 0, retrying: 0 });
    expect(await send()).toEqual({ sent: 0, failed: 0, retrying: 0 });

    expect(inbox.messages.map((m) => m.to)).toEqual([['ana@example.org'], ['ben@example.org']]);
    const [toAna, toBen] = inbox.messages;
    expect(toAna!.subject).toBe('Your photos from Summer Party');
    expect(toAna!.messageId).toBe(`<delivery-${viaKiosk}@shutterfind>`);
    expect(toBen!.messageId).toBe(`<delivery-${ownPhotos}@shutterfind>`);
    expect(toAna!.html).toContain(`${PUBLIC_BASE_URL}/g/${linkIn(toAna!.text)}`);

    // Ana's link shows the kiosk link's photos; Ben had no kiosk link, so his shows his own photo.
    const anaGallery = await openGallery(cloud.db, linkIn(toAna!.text));
    const benGallery = await openGallery(cloud.db, linkIn(toBen!.text));
    expect(anaGallery !== 'not-found' && anaGallery !== 'expired' && anaGallery.photos.map((p) => p.fileName)).toEqual([
      'IMG_0001.JPG',
      'IMG_0002.JPG',
    ]);
    expect(benGallery !== 'not-found' && benGallery !== 'expired' && benGallery.photos.map((p) => p.fileName)).toEqual(['IMG_0003.JPG']);
    // The email's link is its own (not the kiosk's token), valid for 30 days.
    expect(linkIn(toAna!.text)).not.toBe(KIOSK_TOKEN);
    const expires = anaGallery !== 'not-found' && anaGallery !== 'expired' ? anaGallery.expiresAt.getTime() : 0;
    expect(Math.round((expires - Date.now()) / 86_400_000)).toBe(30);
    // Only the token's hash is stored.
    const stored = await cloud.db.pool.query('SELECT 1 FROM gallery_links WHERE token_hash = $1', [linkIn(toAna!.text)]);
    expect(stored.rowCount).toBe(0);

    const rows = await deliveries(cloud);
    expect(rows.slice(0, 2).map((r) => [r.state, r.address, r.message_id, r.attempts])).toEqual([
      ['sent', null, `<delivery-${viaKiosk}@shutterfind>`, 1],
      ['sent', null, `<delivery-${ownPhotos}@shutterfind>`, 1],
    ]);
    expect(rows[0]!.sent_at).toBeInstanceOf(Date);
    // The SMS delivery is not the email loop's to send.
    expect(rows[2]).toMatchObject({ state: 'waiting', address: '+441234567890' });
  });

  it('sends each email exactly once when two endpoint instances run the loop at once', async () => {
    const count = 40;
    for (let i = 1; i <= count; i += 1) await addDelivery(cloud, { localId: i, address: `attendee${i}@example.org` });
    const otherInstance = openCloudDatabase(cloud.url);
    const otherMailer = createMailer({ smtpUrl: inbox.url, from: 'photos@example.org' });
    closers.push(
      () => otherInstance.close(),
      () => otherMailer.close(),
    );
    const errors: Error[] = [];
    const sentBy = [0, 0];
    const loops = [0, 1].map((instance) =>
      startDeliveryLoop({
        pool: instance === 0 ? cloud.db.pool : otherInstance.pool,
        mailer: instance === 0 ? mailer : otherMailer,
        publicBaseUrl: PUBLIC_BASE_URL,
        batchSize: 3,
        intervalMs: 20,
        onError: (e) => errors.push(e),
        onRound: (round) => (sentBy[instance]! += round.sent),
      }),
    );
    closers.push(...loops.map((loop) => () => loop.stop()));
    for (const loop of loops) loop.kick();

    await waitFor(async () => (await deliveries(cloud)).every((r) => r.state === 'sent'), 'every delivery to be sent', 60_000);
    await Promise.all(loops.map((loop) => loop.stop()));

    expect(errors).toEqual([]);
    expect(sentBy[0]! + sentBy[1]!).toBe(count);
    // Both instances did send: the test raced them, it did not run them one after the other.
    expect(sentBy.every((n) => n > 0)).toBe(true);
    const recipients = inbox.messages.flatMap((m) => m.to).sort();
    expect(recipients).toHaveLength(count);
    expect(new Set(recipients).size).toBe(count);
    expect(new Set(inbox.messages.map((m) => m.messageId)).size).toBe(count);
    expect((await deliveries(cloud)).every((r) => r.attempts === 1 && r.address === null)).toBe(true);
  });

  it('delivers once on the retry when the SMTP server first answers 451 (try again later)', async () => {
    await addDelivery(cloud, { localId: 1, address: 'ana@example.org' });
    inbox.refuseRecipients({ code: 451, message: 'Greylisted, please try again later', times: 1 });

    expect(await send()).toEqual({ sent: 0, failed: 0, retrying: 1 });
    const waiting = (await deliveries(cloud))[0]!;
    expect(waiting).toMatchObject({ state: 'waiting', address: 'ana@example.org' });
    expect(waiting.error).toMatch(/not sent.*451.*Greylisted/);
    // The link minted for the refused attempt reached nobody, so it is not kept.
    expect((await cloud.db.pool.query('SELECT 1 FROM gallery_links WHERE device_pk IS NULL')).rowCount).toBe(0);

    // The next round after the first backoff (email-backoff.test.ts times it).
    const aMinuteLater = () => new Date(Date.now() + 60_000);
    expect(await sendWaitingDeliveries({ pool: cloud.db.pool, mailer, publicBaseUrl: PUBLIC_BASE_URL, now: aMinuteLater })).toEqual({
      sent: 1,
      failed: 0,
      retrying: 0,
    });
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.recipientAttempts()).toBe(2);
    expect((await deliveries(cloud))[0]).toMatchObject({ state: 'sent', address: null, error: null, attempts: 2 });
    expect((await cloud.db.pool.query('SELECT 1 FROM gallery_links WHERE device_pk IS NULL')).rowCount).toBe(1);
  });

  it('marks a delivery failed with the reason on 550 (no such mailbox), keeps the address to correct, and never retries it', async () => {
    await addDelivery(cloud, { localId: 1, address: 'nobody@example.org' });
    await addDelivery(cloud, { localId: 2, address: 'ben@example.org' });
    inbox.refuseRecipients({ address: 'nobody@example.org', code: 550, message: 'No such user here' });

    expect(await send()).toEqual({ sent: 1, failed: 1, retrying: 0 });
    const [failed, sent] = await deliveries(cloud);
    expect(failed).toMatchObject({ state: 'failed', address: 'nobody@example.org' });
    expect(failed!.error).toMatch(/550.*No such user here/);
    expect(sent).toMatchObject({ state: 'sent', address: null });

    const attemptsBefore = inbox.recipientAttempts();
    expect(await send()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(inbox.recipientAttempts()).toBe(attemptsBefore);
  });

  it('keeps a delivery waiting, with the reason, while the SMTP server cannot be reached', async () => {
    await addDelivery(cloud, { localId: 1, address: 'ana@example.org' });
    await inbox.close();
    const unreachable = createMailer({ smtpUrl: inbox.url, from: 'photos@example.org' });
    closers.push(() => unreachable.close());
    inbox = await startSmtpInbox();

    expect(await send(unreachable)).toEqual({ sent: 0, failed: 0, retrying: 1 });
    const row = (await deliveries(cloud))[0]!;
    expect(row).toMatchObject({ state: 'waiting', address: 'ana@example.org' });
    expect(row.error).toMatch(/not sent.*ECONNREFUSED/);
  });

  it('takes over a delivery whose sender crashed once its claim runs out, resending with the same Message-ID', async () => {
    const crashed = await addDelivery(cloud, { localId: 1, address: 'ana@example.org', state: 'sending' });
    const busy = await addDelivery(cloud, { localId: 2, address: 'ben@example.org', state: 'sending' });
    await cloud.db.pool.query(`UPDATE deliveries SET attempts = 1, claimed_until = now() - interval '1 second' WHERE id = $1`, [crashed]);
    await cloud.db.pool.query(`UPDATE deliveries SET attempts = 1, claimed_until = now() + interval '5 minutes' WHERE id = $1`, [busy]);

    expect(await send()).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(inbox.messages.map((m) => [m.to, m.messageId])).toEqual([[['ana@example.org'], `<delivery-${crashed}@shutterfind>`]]);
    const [taken, stillClaimed] = await deliveries(cloud);
    expect(taken).toMatchObject({ state: 'sent', attempts: 2, address: null });
    // Another instance's live claim is left alone.
    expect(stillClaimed).toMatchObject({ state: 'sending', attempts: 1, address: 'ben@example.org' });
  });

  it('runs a round at once when kicked, and stops cleanly', async () => {
    const loop = startDeliveryLoop({ pool: cloud.db.pool, mailer, publicBaseUrl: PUBLIC_BASE_URL, intervalMs: 60_000 });
    closers.push(() => loop.stop());
    await addDelivery(cloud, { localId: 1, address: 'ana@example.org' });
    loop.kick();
    await waitFor(() => inbox.messages.length === 1, 'the kicked round to send the email', 10_000);
    await loop.stop();
    await addDelivery(cloud, { localId: 2, address: 'ben@example.org' });
    loop.kick();
    expect(inbox.messages).toHaveLength(1);
    expect((await deliveries(cloud))[1]).toMatchObject({ state: 'waiting' });
  });
});

describe('emails sent by the running endpoint', () => {
  it('go out from `cloud serve` on their own, and the link in the email opens the gallery there', async () => {
    const databaseUrl = await postgres.createDatabase();
    const blobDir = await makeTempDir('shutterfind-email-blobs-');
    const inbox = await startSmtpInbox();
    const port = await freePort();
    const publicBaseUrl = `http://127.0.0.1:${port}`;
    const server = await startCloudServer({
      databaseUrl,
      blobs: openBlobStore(join(blobDir, 'store'), { publicBaseUrl, signingSecret: 'email-test-signing-secret' }),
      publicBaseUrl,
      port,
      mailer: createMailer({ smtpUrl: inbox.url, from: 'photos@example.org' }),
    });
    const cloud = await cloudWithEvent(databaseUrl);
    try {
      // The photos' thumbnails and previews have arrived, so the gallery shows them.
      await cloud.db.pool.query(`UPDATE photos SET thumb_sha256 = 'a' || substr(sha256, 2), preview_sha256 = 'b' || substr(sha256, 2)`);
      await cloud.db.pool.query(
        `INSERT INTO blobs (cloud_event_id, sha256, kind, size)
         SELECT cloud_event_id, thumb_sha256, 'thumb', 1000 FROM photos
         UNION ALL SELECT cloud_event_id, preview_sha256, 'preview', 5000 FROM photos`,
      );
      await addDelivery(cloud, { localId: 1, address: 'ana@example.org' });
      await waitFor(() => inbox.messages.length === 1, 'the endpoint to send the email', 20_000);

      const link = /(http:\/\/127\.0\.0\.1:\d+\/g\/[A-Za-z0-9_-]{43})/.exec(inbox.messages[0]!.text)?.[1];
      expect(link).toBeDefined();
      const page = await fetch(link!);
      expect(page.status).toBe(200);
      const token = link!.split('/g/')[1]!;
      const view = await fetch(`${publicBaseUrl}/gallery-api/${token}`);
      expect(view.status).toBe(200);
      const gallery = (await view.json()) as GalleryView;
      expect(gallery.event).toBe('Summer Party');
      // The same photos as the kiosk's take-home link it stands for.
      const kiosk = (await (await fetch(`${publicBaseUrl}/gallery-api/${KIOSK_TOKEN}`)).json()) as GalleryView;
      expect(gallery.photos).toHaveLength(2);
      expect(gallery.photos.map((p) => p.photoId)).toEqual(kiosk.photos.map((p) => p.photoId));
      expect((await deliveries(cloud))[0]).toMatchObject({ state: 'sent', address: null });
    } finally {
      await server.close();
      await cloud.db.close();
      await inbox.close();
      await removeDir(blobDir);
    }
  });
});
