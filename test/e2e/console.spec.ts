// The photographer's console: signing in from the link `serve` prints, a new frame from the
// camera showing up in the live feed by itself, and every section the operator can open.
import { basename } from 'node:path';
import { copyPhoto, dropPhoto, photoIdsByName } from './support/event-photos.js';
import { SAMPLE_PHOTOS, screenshotPath } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

const SECTIONS = ['live', 'errors', 'sources', 'people', 'search', 'kiosks', 'deliveries', 'settings'] as const;
/** A typical laptop screen: the console's design size. */
const LAPTOP = { width: 1440, height: 900 };
/** A flag set on the page's window: still there afterwards means the page was never reloaded. */
interface PageMarker {
  sfSamePage?: boolean;
}

test('a photo the camera drops into the watched folder appears in the open console without a reload', async ({ page, server }) => {
  const earlier = SAMPLE_PHOTOS.slice(0, 5);
  const newFrame = SAMPLE_PHOTOS[5]!;
  await page.setViewportSize(LAPTOP);

  await test.step('the event already has five processed photos', async () => {
    for (const photo of earlier) await copyPhoto(server.watchDir, photo);
    await waitForReadyPhotos(server, earlier.length);
  });

  await test.step('the link with the operator token signs the console in and leaves the token out of the address', async () => {
    await page.goto(`${server.url}/console?token=${encodeURIComponent(server.operatorToken)}`);
    await expect(page.getByTestId('live-feed')).toBeVisible();
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await expect(page.getByTestId('live-feed').getByTestId('photo-card')).toHaveCount(earlier.length);
  });

  await test.step('a new frame lands and its card appears, then turns ready, in the same page', async () => {
    // Set on this page only: a reload would drop it.
    await page.evaluate(() => ((globalThis as unknown as PageMarker).sfSamePage = true));
    await copyPhoto(server.watchDir, newFrame);
    const cards = page.getByTestId('live-feed').getByTestId('photo-card');
    await expect(cards).toHaveCount(earlier.length + 1);
    const [newId] = await photoIdsByName(server, [basename(newFrame)]);
    const card = page.locator(`[data-testid="photo-card"][data-photo-id="${newId}"]`);
    await expect(card).toContainText(basename(newFrame));
    await expect(card).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    // The counts at the top follow too.
    await expect(page.getByTestId('stat-ready').locator('.c-stat__value')).toHaveText(String(earlier.length + 1));
    // Still the same page: the marker set before the photo landed survived (no reload happened).
    expect({ marker: await page.evaluate(() => (globalThis as unknown as PageMarker).sfSamePage) }).toEqual({ marker: true });
  });

  await test.step('a file that is not a photo is listed under Errors with its name', async () => {
    await dropPhoto(server.watchDir, 'notes.jpg', Buffer.from('Seating plan: table 4 by the window\n'));
    await page.getByTestId('nav-errors').click();
    await expect(page.getByTestId('error-row').filter({ hasText: 'notes.jpg' })).toBeVisible({ timeout: 60_000 });
    // The operator is told as it happens, wherever they are in the console.
    const toast = page.getByTestId('toast').filter({ hasText: 'notes.jpg' });
    await expect(toast).toBeVisible();
    await toast.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByTestId('toast')).toHaveCount(0);
  });

  await test.step('the kiosks section gives a pairing code for a new kiosk', async () => {
    await page.getByTestId('nav-kiosks').click();
    await page.getByTestId('pair-kiosk').click();
    await expect(page.getByTestId('pairing-code')).toHaveText(/\d{3}\s?\d{3}/);
    await page.screenshot({ animations: 'disabled', path: screenshotPath('console-kiosks-pairing') });
    await page.keyboard.press('Escape');
  });

  await test.step('every section opens from the sidebar', async () => {
    for (const section of SECTIONS) {
      await page.getByTestId(`nav-${section}`).click();
      await expect(page.getByTestId(`section-${section}`)).toBeVisible();
      await expect(page.getByTestId('loading-state')).toHaveCount(0);
      await page.screenshot({ animations: 'disabled', path: screenshotPath(`console-${section}`) });
    }
  });
});

test('a wrong token shows the login screen, and the right one typed in opens the console', async ({ page, server }) => {
  await page.setViewportSize(LAPTOP);
  await page.goto(`${server.url}/console?token=not-the-token`);
  const token = page.getByTestId('login-token');
  await expect(token).toBeVisible();
  await page.screenshot({ animations: 'disabled', path: screenshotPath('console-login') });
  await token.fill(server.operatorToken);
  await token.press('Enter');
  await expect(page.getByTestId('live-feed')).toBeVisible();
});
