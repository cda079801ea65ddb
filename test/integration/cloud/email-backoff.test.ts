// An email the SMTP server refuses for now (451, or no server listening) is tried again only after
// a growing pause, goes out once the server takes it, and is given up after MAX_DELIVERY_TRIES:
// failed with the last reason, its address deleted as for a sent one, shown to the organiser and
// the laptop. Real PostgreSQL (the cloud's migrations), a real SMTP server, an injected clock.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cloudEventById,
  deliveryStatesOfDevice,
  migrateCloudDatabase,
  openCloudDatabase,
  readdressDelivery,
  type CloudDatabase,
} from '../../../src/cloud/database/index.js';
import {
  afterTemporaryRefusal,
  createMailer,
  DELIVERY_RETRY_DELAYS_MS,
  MAX_DELIVERY_TRIES,
  sendWaitingDeliveries,
  type Mailer,
} from '../../../src/cloud/email/index.js';
import { organiserSummary } from '../../../src/cloud/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { freePort } from './cloud-harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const EVENT_ID = 'evt_backoff_party';
const sha = (n: number) => n.toString(16).padStart(64, '0');

describe('when a refused email is tried again', () => {
  const t0 = new Date('2026-06-01T20:00:00.000Z');
  it.each([
    [1, 1 * MINUTE],
    [2, 5 * MINUTE],
    [3, 30 * MINUTE],
    [4, 2 * HOUR],
    [7, 2 * HOUR],
  ])('after refusal %i: %i ms later', (tries, delay) => {
    expect(afterTemporaryRefusal(tries, t0)).toEqual({ retry: true, at: new Date(t0.getTime() + delay) });
  });
  it('never after the last try', () => {
    expect(afterTemporaryRefusal(MAX_DELIVERY_TRIES, t0)).toEqual({ retry: false });
    expect(afterTemporaryRefusal(3, t0, 3)).toEqual({ retry: false });
  });
});

let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

describe('emails refused for now', () => {
  let db: CloudDatabase;
  let devicePk: number;
  let deliveryId: number;
  let inbox: SmtpInbox;
  let mailer: Mailer;
  const clock = { now: new Date() };
  const closers: (() => void)[] = [];

  beforeEach(async () => {
    db = openCloudDatabase(await postgres.createDatabase());
    await migrateCloudDatabase(db);
    await db.pool.query(`INSERT INTO cloud_events (id, name, organiser_token_hash) VALUES ($1, 'Backoff Party', $2)`, [EVENT_ID, sha(999)]);
    const device = await db.pool.query<{ id: number }>(
      `INSERT INTO devices (cloud_event_id, device_id, name, token_hash) VALUES ($1, 'laptop-1', 'Laptop 1', $2) RETURNING id`,
      [EVENT_ID, sha(998)],
    );
    devicePk = device.rows[0]!.id;
    const delivery = await db.pool.query<{ id: number }>(
      `INSERT INTO deliveries (cloud_event_id, device_pk, local_id, channel, address, photo_sha256s)
       VALUES ($1, $2, 1, 'email', 'ana@example.org', $3) RETURNING id`,
      [EVENT_ID, devicePk, [sha(1)]],
    );
    deliveryId = delivery.rows[0]!.id;
    inbox = await startSmtpInbox();
    mailer = createMailer({ smtpUrl: inbox.url, from: '"Shutterfind" <photos@example.org>' });
    clock.now = new Date();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) close();
    mailer.close();
    await inbox.close();
    await db.close();
  });

  const later = (ms: number) => {
    clock.now = new Date(clock.now.getTime() + ms);
  };
  const round = (m: Mailer = mailer) =>
    sendWaitingDeliveries({ pool: db.pool, mailer: m, publicBaseUrl: 'https://photos.example.org', now: () => clock.now });
  const row = async () =>
    (
      await db.pool.query<{ state: string; address: string | null; error: string | null; failed_tries: number }>(
        'SELECT state, address, error, failed_tries FROM deliveries WHERE id = $1',
        [deliveryId],
      )
    ).rows[0]!;

  it('tries again only once each backoff has passed, and sends the email once the server takes it', async () => {
    inbox.refuseRecipients({ code: 451, message: 'Greylisted, please try again later', times: 2 });

    expect(await round()).toEqual({ sent: 0, failed: 0, retrying: 1 });
    expect(inbox.recipientAttempts()).toBe(1);

    later(DELIVERY_RETRY_DELAYS_MS[0]! - 1_000);
    expect(await round()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(inbox.recipientAttempts()).toBe(1);
    later(1_000);
    expect(await round()).toEqual({ sent: 0, failed: 0, retrying: 1 });
    expect(inbox.recipientAttempts()).toBe(2);

    // The second pause is longer: a minute later is still too soon.
    later(DELIVERY_RETRY_DELAYS_MS[0]!);
    expect(await round()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(inbox.recipientAttempts()).toBe(2);
    expect(await row()).toMatchObject({ state: 'waiting', address: 'ana@example.org', failed_tries: 2 });

    later(DELIVERY_RETRY_DELAYS_MS[1]!);
    expect(await round()).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(inbox.messages.map((m) => m.to)).toEqual([['ana@example.org']]);
    expect(await row()).toMatchObject({ state: 'sent', address: null, error: null });
  });

  it(`gives up after ${MAX_DELIVERY_TRIES} tries at a closed port: failed with the last reason, the address deleted, shown to the organiser and the laptop`, async () => {
    const closedPort = await freePort();
    const unreachable = createMailer({ smtpUrl: `smtp://127.0.0.1:${closedPort}`, from: 'photos@example.org' });
    closers.push(() => unreachable.close());

    for (let tries = 1; tries < MAX_DELIVERY_TRIES; tries++) {
      expect(await round(unreachable)).toEqual({ sent: 0, failed: 0, retrying: 1 });
      expect(await row()).toMatchObject({ state: 'waiting', address: 'ana@example.org', failed_tries: tries });
      later(3 * HOUR);
    }
    expect(await round(unreachable)).toEqual({ sent: 0, failed: 1, retrying: 0 });
    const givenUp = await row();
    expect(givenUp).toMatchObject({ state: 'failed', address: null, failed_tries: MAX_DELIVERY_TRIES });
    expect(givenUp.error).toMatch(new RegExp(`^Not sent after ${MAX_DELIVERY_TRIES} tries .*ECONNREFUSED.*enter their address again`));

    // Never tried again on its own, even with the server back.
    later(24 * HOUR);
    expect(await round()).toEqual({ sent: 0, failed: 0, retrying: 0 });
    expect(inbox.recipientAttempts()).toBe(0);

    const summary = await organiserSummary(db, (await cloudEventById(db.pool, EVENT_ID))!);
    expect(summary.deliveries).toEqual([expect.objectContaining({ id: deliveryId, state: 'failed', error: givenUp.error })]);
    expect(await deliveryStatesOfDevice(db.pool, devicePk)).toEqual([expect.objectContaining({ state: 'failed', error: givenUp.error })]);

    // The organiser enters the address again: it goes out at once, with all its tries back.
    expect(await readdressDelivery(db.pool, EVENT_ID, deliveryId, 'ana@example.org')).toBe(true);
    expect(await round()).toEqual({ sent: 1, failed: 0, retrying: 0 });
    expect(await row()).toMatchObject({ state: 'sent', address: null, failed_tries: 0 });
  });
});
