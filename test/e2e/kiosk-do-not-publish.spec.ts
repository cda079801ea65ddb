// "Don't publish photos of me" at the kiosk: after her selfie the attendee asks, reads what it
// means (faces blurred wherever photos are shared, later photos too, a face description kept
// for that only), confirms, and the organiser's list shows her request.
import type { Page } from '@playwright/test';
import type { OptOutList } from '../../src/api/index.js';
import { dropEventPhotos } from './support/event-photos.js';
import { newPairingCode } from './support/kiosk.js';
import { screenshotPath } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

const SEARCH_TIMEOUT_MS = 60_000;
const screen = (page: Page) => page.getByTestId('kiosk-screen');

test('an attendee asks not to be published, confirms, and the organiser sees her request', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const photos = await dropEventPhotos(server.watchDir);
  await waitForReadyPhotos(server, photos.all.length);

  await page.goto(`${server.url}/kiosk`);
  await page.getByTestId('pairing-code-input').fill(await newPairingCode(server));
  await page.getByTestId('pairing-name-input').fill('Entrance kiosk');
  await page.getByTestId('pair-button').click();
  await expect(screen(page)).toHaveAttribute('data-screen', 'attract');
  await page.getByTestId('start-button').click({ force: true });
  await page.getByTestId('consent-accept').click();
  await expect(async () => {
    if ((await screen(page).getAttribute('data-screen')) === 'camera') await page.getByTestId('capture-button').click({ timeout: 2_000 });
    expect(await screen(page).getAttribute('data-screen')).toBe('results');
  }).toPass({ timeout: SEARCH_TIMEOUT_MS });

  await page.getByTestId('opt-out').click();
  const confirm = page.getByTestId('opt-out-confirm');
  await expect(confirm).toBeVisible();
  await expect(confirm).toContainText('blurred in every photo the organisers share');
  await expect(confirm).toContainText('for this purpose only');
  await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-do-not-publish') });

  // Cancelling changes nothing.
  await page.getByTestId('opt-out-cancel').click();
  await expect(confirm).toBeHidden();
  expect((await server.api.get<OptOutList>(server.api.withEvent('/api/do-not-publish'))).records).toEqual([]);

  await page.getByTestId('opt-out').click();
  await page.getByTestId('opt-out-yes').click();
  await expect(page.getByTestId('opt-out-done')).toContainText('your face will be blurred');
  const { records } = await server.api.get<OptOutList>(server.api.withEvent('/api/do-not-publish'));
  expect(records.length).toBeGreaterThanOrEqual(2);
  expect(records.every((r) => r.source === 'kiosk' && r.revokedAt === null)).toBe(true);
  expect(records.filter((r) => r.keepsFaceDescriptor)).toHaveLength(1);
});
