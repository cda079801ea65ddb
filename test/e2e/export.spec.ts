// The console's Export section: the organiser's folders written from the browser, with progress
// while it runs and a summary after, into a folder on this laptop.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyPhoto } from './support/event-photos.js';
import { SAMPLE_PHOTOS, screenshotPath } from './support/paths.js';
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
