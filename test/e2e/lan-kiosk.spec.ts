// A kiosk tablet on the venue network. Browsers give a page the camera only on localhost or
// HTTPS, so `serve --lan` also serves the kiosk over HTTPS with the laptop's own certificate.
// Chromium maps a LAN-style name to this machine, so it decides about the camera exactly as a
// tablet would for the laptop's address; ignoreHTTPSErrors stands for accepting the
// certificate once on the tablet.
import type { Page } from '@playwright/test';
import { newPairingCode } from './support/kiosk.js';
import { LAN_KIOSK_HOST } from './support/paths.js';
import { startServer } from './support/server.js';
import { expect, test } from './support/test.js';

/** What the page offers for a camera, read in the page (the root type-check has no DOM library). */
const cameraAccess = (page: Page) =>
  page.evaluate(`({ secureContext: window.isSecureContext, mediaDevices: typeof navigator.mediaDevices })`);

test("a kiosk tablet gets its camera over the laptop's HTTPS kiosk address, which plain HTTP on the network cannot give", async ({
  page,
}) => {
  const server = await startServer({ lan: true });
  try {
    expect(server.kioskHttpsPort).toEqual(expect.any(Number));
    const httpPort = new URL(server.url).port;

    await page.goto(`http://${LAN_KIOSK_HOST}:${httpPort}/kiosk`);
    expect(await cameraAccess(page)).toEqual({ secureContext: false, mediaDevices: 'undefined' });

    await page.goto(`https://${LAN_KIOSK_HOST}:${server.kioskHttpsPort}/kiosk`);
    expect(await cameraAccess(page)).toEqual({ secureContext: true, mediaDevices: 'object' });

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
  } finally {
    await server.stop();
  }
});
