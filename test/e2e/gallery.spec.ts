// The attendee's phone after the kiosk: the gallery link from the take-home QR shows their
// photos, and "Download all" gives a ZIP with every one of them as a JPEG.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { dropEventPhotos, photoIdsByName } from './support/event-photos.js';
import { visitKioskByApi } from './support/kiosk.js';
import { screenshotPath } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';
import { readZipEntries } from './support/zip-entries.js';

/** An everyday phone in portrait (iPhone 12–15 class), the size a QR scan opens the gallery at. */
/** What the test reads of an <img> (the root type-check has no DOM library). */
interface LoadedImage {
  complete: boolean;
  naturalWidth: number;
}

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

test('the take-home link opens the attendee’s photos on a phone and Download all gives them as one ZIP of JPEGs', async ({
  browser,
  server,
}) => {
  const photos = await dropEventPhotos(server.watchDir);
  await waitForReadyPhotos(server, photos.all.length);
  const expectedIds = await photoIdsByName(server, photos.withSelfiePerson);

  const { results, takeHome } = await test.step('an attendee takes their photos home at a kiosk', () => visitKioskByApi(server));
  expect(results.matches.map((m) => m.photoId).sort((a, b) => a - b)).toEqual([...expectedIds].sort((a, b) => a - b));
  expect(takeHome.qrSvg).toContain('<svg');

  const phone = await browser.newContext({ ...PHONE, acceptDownloads: true });
  try {
    const page = await phone.newPage();
    await test.step('the gallery shows every photo, each one loaded', async () => {
      await page.goto(takeHome.galleryUrl);
      const shown = page.getByTestId('gallery-photo');
      await expect(shown).toHaveCount(expectedIds.length);
      // Thumbnails load lazily, as the attendee scrolls to them.
      for (const photo of await shown.all()) await photo.scrollIntoViewIfNeeded();
      // An <img> that failed to load has no natural size: the attendee would see a broken image.
      await expect
        .poll(() =>
          page.getByTestId('gallery-photo').evaluateAll((els) =>
            els.map((el) => {
              const img = (el.tagName === 'IMG' ? el : el.querySelector('img')) as LoadedImage | null;
              return img !== null && img.complete && img.naturalWidth > 0;
            }),
          ),
        )
        .toEqual(expectedIds.map(() => true));
      await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
      await page.screenshot({ animations: 'disabled', path: screenshotPath('gallery-phone') });
    });

    await test.step('Download all saves a ZIP holding every photo as a JPEG', async () => {
      const downloading = page.waitForEvent('download');
      await page.getByTestId('download-zip').click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/\.zip$/i);
      const entries = readZipEntries(await readFile(await download.path()));
      const jpegs = entries.filter((e) => /\.jpe?g$/i.test(e.name));
      expect(jpegs, `entries: ${entries.map((e) => e.name).join(', ')}`).toHaveLength(expectedIds.length);
      for (const entry of jpegs) {
        const meta = await sharp(entry.bytes).metadata();
        expect(meta.format, `${entry.name} in the ZIP`).toBe('jpeg');
        expect(meta.width ?? 0, `${entry.name} in the ZIP`).toBeGreaterThan(0);
      }
    });
  } finally {
    await phone.close();
  }
});
