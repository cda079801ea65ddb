// The console's Export section: the organiser's folders written from the browser, with progress
// while it runs and a summary after, into a folder on this laptop; the offline gallery's look
// (colours, logo) set beside it and found in the gallery the export wrote.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { copyPhoto } from './support/event-photos.js';
import { REPO_ROOT, SAMPLE_PHOTOS, screenshotPath } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

test('the organiser export runs from the console and ends with a summary and the folders on disk', async ({ page, server }) => {
  const photos = SAMPLE_PHOTOS.slice(0, 3);
  const to = join(await mkdtemp(join(tmpdir(), 'sf-export-e2e-')), 'USB STICK');
  try {
    for (const photo of photos) await copyPhoto(server.watchDir, photo);
    await waitForReadyPhotos(server, photos.length);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/console?token=${encodeURIComponent(server.operatorToken)}`);
    await page.getByTestId('nav-export').click();
    await page.getByTestId('export-to').fill(to);
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('export-summary')).toContainText('3 photos');
    await page.screenshot({ path: screenshotPath('console-export'), fullPage: true });
    expect((await readdir(join(to, 'All photos'))).length).toBe(3);
    expect(existsSync(join(to, 'manifest.csv'))).toBe(true);
  } finally {
    await rm(join(to, '..'), { recursive: true, force: true });
  }
});

/** A studio's wordmark, drawn as the organiser's designer would hand it over: a transparent PNG. */
const studioLogo = (): Promise<Buffer> =>
  sharp(
    Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="120" viewBox="0 0 480 120">
        <circle cx="60" cy="60" r="44" fill="none" stroke="#f97316" stroke-width="10"/>
        <circle cx="60" cy="60" r="16" fill="#f97316"/>
        <text x="124" y="76" font-family="DejaVu Sans, sans-serif" font-size="46" font-weight="bold" fill="#ffffff" letter-spacing="3">LUMEN</text>
      </svg>`,
    ),
  )
    .png()
    .toBuffer();

test("the gallery's colours and logo set in the console are in the offline gallery the export writes", async ({ page, server }) => {
  const photos = SAMPLE_PHOTOS.slice(0, 2);
  const to = join(await mkdtemp(join(tmpdir(), 'sf-export-branding-')), 'USB STICK');
  try {
    for (const photo of photos) await copyPhoto(server.watchDir, photo);
    await waitForReadyPhotos(server, photos.length);
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${server.url}/console?token=${encodeURIComponent(server.operatorToken)}`);
    await page.getByTestId('nav-export').click();
    await page.getByTestId('export-to').fill(to);
    await expect(page.getByTestId('gallery-look')).toHaveCount(0);
    await page.getByTestId('export-as').selectOption('html');

    const look = page.getByTestId('gallery-look');
    await expect(look).toHaveAttribute('data-state', 'saved');
    await expect(page.getByTestId('gallery-background-value')).toHaveText('Default');
    await page.getByTestId('gallery-background').fill('#0b1f3a');
    await page.getByTestId('gallery-accent').fill('#f97316');
    await page
      .getByTestId('gallery-logo-input')
      .setInputFiles({ name: 'lumen-logo.png', mimeType: 'image/png', buffer: await studioLogo() });
    await expect(page.getByTestId('gallery-logo-preview')).toBeVisible();
    await expect(look).toHaveAttribute('data-state', 'saved');
    await expect(page.getByTestId('gallery-background-value')).toHaveText('#0b1f3a');
    await expect(page.getByTestId('gallery-accent-value')).toHaveText('#f97316');
    await expect(page.getByTestId('export-error')).toHaveCount(0);
    // The picture for the guide, without the focus ring of the last control used.
    await page.evaluate('document.activeElement?.blur()');
    await page
      .getByTestId('export-section')
      .screenshot({ path: join(REPO_ROOT, 'docs', 'guide', 'images', 'console-export-branding.png') });

    // Remembered for the event: a reloaded console shows the same look.
    await page.reload();
    await page.getByTestId('nav-export').click();
    await page.getByTestId('export-to').fill(to);
    await page.getByTestId('export-as').selectOption('html');
    await expect(page.getByTestId('gallery-background-value')).toHaveText('#0b1f3a');
    await expect(page.getByTestId('gallery-logo-preview')).toBeVisible();

    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });

    const gallery = await page.context().newPage();
    await gallery.goto(pathToFileURL(join(to, 'index.html')).href);
    const logo = gallery.locator('img.logo');
    await expect(logo).toBeVisible();
    // Decoded from the stick, at the size it was uploaded (a missing file decodes to 0).
    await expect.poll(() => logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(480);
    await expect(gallery.locator('body')).toHaveCSS('background-color', 'rgb(11, 31, 58)');
  } finally {
    await rm(join(to, '..'), { recursive: true, force: true });
  }
});
