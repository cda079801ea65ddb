// The console's Sync section against a real cloud endpoint (PostgreSQL, directory blob store):
// an event that is not connected says so and offers the form; the organiser's join code connects
// it, its photos go up, and the section shows the cloud address, the state, the cap and a pause.
import { join } from 'node:path';
import { call, startCloudHarness, type CloudHarness } from '../integration/cloud/cloud-harness.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { copyPhoto } from './support/event-photos.js';
import { REPO_ROOT, SAMPLE_PHOTOS, screenshotPath } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

/** The Sync guide's picture of a connected, paused event (docs/guide). */
const GUIDE_SCREENSHOT = join(REPO_ROOT, 'docs', 'guide', 'images', 'console-sync.png');

let postgres: TestPostgres;
let cloud: CloudHarness | undefined;

test.beforeAll(async () => {
  postgres = await startPostgres();
  cloud = await startCloudHarness(postgres);
});

test.afterAll(async () => {
  await cloud?.close();
  await postgres?.stop();
});

test('the console connects the event to the cloud with a join code, shows where it stands and pauses it', async ({ page, server }) => {
  const photos = SAMPLE_PHOTOS.slice(0, 3);
  for (const photo of photos) await copyPhoto(server.watchDir, photo);
  const created = await cloud!.createEvent({ name: 'Smith wedding' });
  const endpoint = cloud!.urls[0]!;

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(`${server.url}/console?token=${encodeURIComponent(server.operatorToken)}`);
  await page.getByTestId('nav-sync').click();

  // Not enrolled: the state in words and the form.
  await expect(page.getByTestId('sync-state')).toHaveText('Not connected to the cloud');
  await expect(page.getByTestId('sync-enrol-form')).toBeVisible();
  await page.screenshot({ path: screenshotPath('console-sync-connect'), fullPage: true });

  // A mistyped code: the endpoint's reason, and still not connected.
  await page.getByTestId('sync-endpoint').fill(endpoint);
  await page.getByTestId('sync-join-code').fill('WRONGCODE9');
  await page.getByTestId('sync-enrol').click();
  await expect(page.getByTestId('sync-enrol-error')).toContainText('join code was refused');
  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'not-enrolled');

  await waitForReadyPhotos(server, photos.length);
  await page.getByTestId('sync-join-code').fill(created.joinCode);
  await page.getByTestId('sync-device-name').fill('Second shooter');
  await page.getByTestId('sync-enrol').click();

  await expect(page.getByTestId('sync-public-url')).toHaveText(endpoint);
  await expect(page.getByTestId('sync-device-shown')).toHaveText('Second shooter');
  await expect(page.getByTestId('sync-state')).not.toHaveAttribute('data-state', 'not-enrolled');
  // Sync now (or the background loop, whichever comes first) sends the photos; live 'sync' events
  // bring the section to "Up to date".
  await page.getByTestId('sync-run').click();
  await expect(page.getByTestId('sync-state')).toHaveText('Up to date', { timeout: 90_000 });
  await expect(page.getByTestId('sync-items-left')).toContainText('Nothing');
  await expect(page.getByTestId('sync-last-synced')).not.toContainText('Not yet');

  // A cap for the venue's shared Wi-Fi, kept in Mbit/s.
  await page.getByTestId('sync-cap').fill('20');
  await page.getByTestId('sync-cap-save').click();
  await expect(page.getByTestId('sync-rate')).toContainText('capped at 20 Mbit/s');
  await expect(page.getByTestId('sync-cap')).toHaveValue('20');

  await page.getByTestId('sync-pause').click();
  await expect(page.getByTestId('sync-state')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('sync-state')).toHaveText('Paused');
  await expect(page.getByTestId('sync-pause')).toHaveText('Resume');
  await expect(page.getByTestId('sync-run')).toBeDisabled();
  // The guide's picture without the confirmations, which go by themselves after a few seconds.
  await expect(page.getByTestId('toast')).toHaveCount(0);
  await page.screenshot({ path: GUIDE_SCREENSHOT, fullPage: true });

  // What the console shows is what the laptop keeps: a reload reads it back.
  await page.reload();
  await expect(page.getByTestId('sync-state')).toHaveText('Paused');
  await expect(page.getByTestId('sync-cap')).toHaveValue('20');

  await page.getByTestId('sync-pause').click();
  await expect(page.getByTestId('sync-state')).not.toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('sync-pause')).toHaveText('Pause');

  // The organiser revokes this laptop (it was lost, say): sync stops with the reason, and a new
  // join code from the organiser connects it again.
  const organiser = { token: created.organiserToken };
  const devices = await cloud!.db.pool.query<{ pk: number }>('SELECT id AS pk FROM devices WHERE cloud_event_id = $1', [
    created.cloudEventId,
  ]);
  expect(devices.rows).toHaveLength(1);
  const revoked = await call(
    endpoint,
    'POST',
    `/cloud-api/events/${created.cloudEventId}/devices/${devices.rows[0]!.pk}/revoke`,
    organiser,
  );
  expect(revoked.status).toBe(200);
  await expect(page.getByTestId('sync-run')).toBeEnabled();
  await page.getByTestId('sync-run').click();
  await expect(page.getByTestId('sync-state')).toHaveText('Stopped by an error');
  await expect(page.getByTestId('sync-last-error')).toContainText('revoked');
  await page.screenshot({ path: screenshotPath('console-sync-revoked'), fullPage: true });

  const fresh = await call(endpoint, 'POST', `/cloud-api/events/${created.cloudEventId}/join-codes`, organiser);
  await page.getByTestId('sync-connect-again').click();
  await expect(page.getByTestId('sync-endpoint')).toHaveValue(endpoint);
  await expect(page.getByTestId('sync-device-name')).toHaveValue('Second shooter');
  await page.screenshot({ path: screenshotPath('console-sync-connect-again'), fullPage: true });
  await page.getByTestId('sync-join-code').fill((fresh.body as { joinCode: string }).joinCode);
  await page.getByTestId('sync-enrol').click();
  await expect(page.getByTestId('sync-enrol-form')).toHaveCount(0);
  await page.getByTestId('sync-run').click();
  await expect(page.getByTestId('sync-state')).toHaveText('Up to date');
  await expect(page.getByTestId('sync-last-error')).toHaveCount(0);

  // The endpoint goes away (the venue's uplink drops): Sync now ends offline, with the reason.
  await cloud!.close();
  cloud = undefined;
  await page.getByTestId('sync-run').click();
  await expect(page.getByTestId('sync-state')).toHaveText('Offline');
  await expect(page.getByTestId('sync-hint')).toContainText('goes on by itself when the connection is back');
  await expect(page.getByTestId('sync-last-error')).toContainText('could not be reached');
  await page.screenshot({ path: screenshotPath('console-sync-offline'), fullPage: true });
});
