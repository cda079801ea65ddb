// A kiosk tablet on the venue network. Browsers give a page the camera only on localhost or
// HTTPS, so `serve --lan` also serves the kiosk over HTTPS with the laptop's own certificate.
// Chromium maps a LAN-style name to this machine, so it decides about the camera exactly as a
// tablet would for the laptop's address; ignoreHTTPSErrors stands for accepting the
// certificate once on the tablet.
import type { Page } from '@playwright/test';
import { dropEventPhotos } from './support/event-photos.js';
import { newPairingCode } from './support/kiosk.js';
import { LAN_KIOSK_HOST } from './support/paths.js';
import { startServer, waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

/** Face search on a 2-core laptop with other photos still processing: allow several seconds. */
const SEARCH_TIMEOUT_MS = 60_000;

/** What the page offers for a camera, read in the page (the root type-check has no DOM library). */
const cameraAccess = (page: Page) =>
  page.evaluate(`({ secureContext: window.isSecureContext, mediaDevices: typeof navigator.mediaDevices })`);

/** The protocol the page itself came over, and each result thumbnail's, as the browser records them. */
const protocols = (page: Page) =>
  page.evaluate(`({
    page: performance.getEntriesByType('navigation')[0].nextHopProtocol,
    thumbnails: performance.getEntriesByType('resource')
      .filter((e) => /\\/kiosk-api\\/sessions\\/[^/]+\\/photos\\/\\d+\\/thumb$/.test(new URL(e.name).pathname))
      .map((e) => e.nextHopProtocol),
  })`) as Promise<{ page: string; thumbnails: string[] }>;

test("a kiosk tablet gets its camera over the laptop's HTTPS kiosk address, which plain HTTP on the network cannot give, and its results over HTTP/2", async ({
  page,
}) => {
  const server = await startServer({ lan: true });
  try {
    expect(server.kioskHttpsPort).toEqual(expect.any(Number));
    const httpPort = new URL(server.url).port;
    // Processed while the tablet is set up, as photos arrive during an event.
    const photos = await dropEventPhotos(server.watchDir);

    await page.goto(`http://${LAN_KIOSK_HOST}:${httpPort}/kiosk`);
    expect(await cameraAccess(page)).toEqual({ secureContext: false, mediaDevices: 'undefined' });
    expect((await protocols(page)).page).toBe('http/1.1');

    await page.goto(`https://${LAN_KIOSK_HOST}:${server.kioskHttpsPort}/kiosk`);
    expect(await cameraAccess(page)).toEqual({ secureContext: true, mediaDevices: 'object' });
    // HTTP/2: a results screen's thumbnails share one connection rather than queue for six.
    expect((await protocols(page)).page).toBe('h2');

    // Paired over HTTPS and on to the live camera, as at the venue.
    await page.getByTestId('pairing-code-input').fill(await newPairingCode(server));
    await page.getByTestId('pairing-name-input').fill('Tablet by the door');
    await page.getByTestId('pair-button').click();
    await expect(page.getByTestId('kiosk-screen')).toHaveAttribute('data-screen', 'attract');
    await page.getByTestId('start-button').click({ force: true });
    await page.getByTestId('consent-accept').click();
    await expect(page.getByTestId('kiosk-screen')).toHaveAttribute('data-screen', 'camera');
    await expect
      .poll(() => page.locator('video').evaluate((el) => (el as unknown as { videoWidth: number }).videoWidth))
      .toBeGreaterThan(0);
    await expect(page.getByTestId('camera-error')).toHaveCount(0);

    // Her selfie, and her photos' thumbnails on the results screen, over HTTP/2 too.
    await waitForReadyPhotos(server, photos.all.length);
    await expect(async () => {
      const screen = await page.getByTestId('kiosk-screen').getAttribute('data-screen');
      if (screen === 'camera') await page.getByTestId('capture-button').click({ timeout: 2_000 });
      expect(await page.getByTestId('kiosk-screen').getAttribute('data-screen')).toMatch(/searching|results/);
    }).toPass({ timeout: SEARCH_TIMEOUT_MS });
    await expect(page.getByTestId('kiosk-screen')).toHaveAttribute('data-screen', 'results', { timeout: SEARCH_TIMEOUT_MS });
    await expect(page.getByTestId('result-photo').first()).toBeVisible();
    await expect.poll(async () => (await protocols(page)).thumbnails.length).toBeGreaterThan(0);
    const { thumbnails } = await protocols(page);
    expect(
      thumbnails.every((p) => p === 'h2'),
      thumbnails.join(', '),
    ).toBe(true);
  } finally {
    await server.stop();
  }
});
