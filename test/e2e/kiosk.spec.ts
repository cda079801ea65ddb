// An attendee at the kiosk: the operator pairs the screen, the attendee consents, the camera
// (Chromium's fake camera playing a real face) takes the selfie, and the kiosk shows exactly the
// event's photos of that person, then a QR to take them home, and starts over for the next.
import type { Locator, Page, Response } from '@playwright/test';
import type { KioskResults, TakeHomeRequest } from '../../src/api/index.js';
import { dropEventPhotos, photoIdsByName } from './support/event-photos.js';
import { newPairingCode, photoIdFromKioskUrl } from './support/kiosk.js';
import { screenshotPath } from './support/paths.js';
import { waitForReadyPhotos, type RunningServer } from './support/server.js';
import { expect, test } from './support/test.js';

/** A 10" tablet on a stand, both ways up: kiosks are set up in either orientation. */
const LANDSCAPE = { width: 1280, height: 800 };
const PORTRAIT = { width: 800, height: 1280 };
/** Face search on a 2-core laptop with other photos still processing: allow several seconds. */
const SEARCH_TIMEOUT_MS = 60_000;

/** What the test reads of a <video> (the root type-check has no DOM library). */
interface PlayingVideo {
  videoWidth: number;
  paused: boolean;
  readyState: number;
}
/** HTMLMediaElement.readyState: a frame to show exists. */
const HAVE_CURRENT_DATA = 2;

const byNumber = (a: number, b: number) => a - b;

function kioskScreen(page: Page) {
  return page.getByTestId('kiosk-screen');
}

async function expectScreen(page: Page, screen: string, timeout?: number): Promise<void> {
  await expect(kioskScreen(page)).toHaveAttribute('data-screen', screen, timeout ? { timeout } : {});
}

/** The photo ids the results screen shows, read from each result's own image address. */
async function shownPhotoIds(page: Page): Promise<number[]> {
  const urls = await page
    .getByTestId('result-photo')
    .evaluateAll((els) =>
      els.map(
        (el) =>
          el.getAttribute('data-photo-id') ?? ((el.tagName === 'IMG' ? el : el.querySelector('img')) as { src: string } | null)?.src ?? '',
      ),
    );
  return urls.map((u) => (/^\d+$/.test(u) ? Number(u) : photoIdFromKioskUrl(u))).sort(byNumber);
}

/**
 * The attract screen's start button "breathes" (scales 1.00–1.04, forever) to draw people in,
 * so Playwright never sees it stable. Its centre never moves: check it can be pressed, then press it there.
 */
async function pressBreathingButton(button: Locator): Promise<void> {
  await expect(button).toBeVisible();
  await expect(button).toBeEnabled();
  await button.click({ force: true });
}

/** Types a code from the operator into the pairing screen, as whoever sets up the tablet does. */
async function pairOnScreen(page: Page, server: RunningServer): Promise<void> {
  await page.getByTestId('pairing-code-input').fill(await newPairingCode(server));
  await page.getByTestId('pairing-name-input').fill('Entrance kiosk');
  await page.getByTestId('pair-button').click();
  await expectScreen(page, 'attract');
}

const isSelfiePost = (r: Response) =>
  r.request().method() === 'POST' && /\/kiosk-api\/sessions\/[^/]+\/selfie$/.test(new URL(r.url()).pathname);

test('an attendee takes a selfie and the kiosk shows exactly the photos they are in, with a QR to take them home', async ({
  page,
  server,
}) => {
  await page.setViewportSize(LANDSCAPE);
  const photos = await dropEventPhotos(server.watchDir);
  await waitForReadyPhotos(server, photos.all.length);
  const expectedIds = (await photoIdsByName(server, photos.withSelfiePerson)).sort(byNumber);

  await test.step('the kiosk is paired with a code from the operator', async () => {
    await page.goto(`${server.url}/kiosk`);
    await expectScreen(page, 'pairing');
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-pairing') });
    await pairOnScreen(page, server);
  });

  await test.step('the attract screen invites people to start, both ways up', async () => {
    await expect(page.getByTestId('start-button')).toBeVisible();
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-attract-landscape') });
    await page.setViewportSize(PORTRAIT);
    await expect(page.getByTestId('start-button')).toBeInViewport();
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-attract-portrait') });
    await page.setViewportSize(LANDSCAPE);
  });

  await test.step('starting asks for consent before any camera is used', async () => {
    await pressBreathingButton(page.getByTestId('start-button'));
    await expectScreen(page, 'consent');
    await expect(page.getByTestId('consent-accept')).toBeVisible();
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-consent') });
  });

  let selfieResponse: Promise<Response> = Promise.resolve(undefined as never);
  let firstResultUrl = '';
  await test.step('after consent the camera shows the attendee', async () => {
    selfieResponse = page.waitForResponse(isSelfiePost, { timeout: SEARCH_TIMEOUT_MS * 2 });
    await page.getByTestId('consent-accept').click();
    await expectScreen(page, 'camera');
    // The live picture is playing: the fake camera's frames reach the page.
    await expect
      .poll(() =>
        page.locator('video').evaluate((el, haveCurrentData) => {
          const v = el as unknown as PlayingVideo;
          return { hasPicture: v.videoWidth > 0, playing: !v.paused, frameReady: v.readyState >= haveCurrentData };
        }, HAVE_CURRENT_DATA),
      )
      .toEqual({ hasPicture: true, playing: true, frameReady: true });
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-camera') });
  });

  await test.step('the selfie is taken and searched', async () => {
    // The kiosk may take the picture by itself once the face is steady; otherwise the button does.
    await expect(async () => {
      const screen = await kioskScreen(page).getAttribute('data-screen');
      if (screen === 'camera') await page.getByTestId('capture-button').click({ timeout: 2_000 });
      const now = await kioskScreen(page).getAttribute('data-screen');
      if (now === 'searching') await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-searching') });
      expect(now).toMatch(/searching|results/);
    }).toPass({ timeout: SEARCH_TIMEOUT_MS });
    const response = await selfieResponse;
    expect(response.status(), await response.text()).toBe(200);
    const results = (await response.json()) as KioskResults;
    expect(results.matches.map((m) => m.photoId).sort(byNumber)).toEqual(expectedIds);
    firstResultUrl = results.matches[0]!.thumbUrl;
    const thumb = await page.request.get(new URL(firstResultUrl, server.url).toString());
    expect(thumb.status()).toBe(200);
  });

  await test.step('the results are exactly the photos the attendee is in', async () => {
    await expectScreen(page, 'results', SEARCH_TIMEOUT_MS);
    await expect(page.getByTestId('result-photo')).toHaveCount(expectedIds.length);
    expect(await shownPhotoIds(page)).toEqual(expectedIds);
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-results-landscape') });
    await page.setViewportSize(PORTRAIT);
    await expect(page.getByTestId('result-photo').first()).toBeInViewport();
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-results-portrait') });
    await page.setViewportSize(LANDSCAPE);
  });

  await test.step('taking them home shows a QR code for the gallery', async () => {
    // Every photo starts chosen: most visitors want all of theirs.
    await expect(page.locator('[data-testid="result-photo"][data-selected="true"]')).toHaveCount(expectedIds.length);
    // The QR is made as soon as the take-home screen opens: nearly everyone wants it.
    const takeHome = page.waitForResponse((r) => /\/kiosk-api\/sessions\/[^/]+\/take-home$/.test(new URL(r.url()).pathname));
    await page.getByTestId('take-home-button').click();
    await expectScreen(page, 'take-home');
    const response = await takeHome;
    expect(response.status(), await response.text()).toBe(200);
    const sent = JSON.parse(response.request().postData() ?? '{}') as TakeHomeRequest;
    expect([...sent.photoIds].sort(byNumber)).toEqual(expectedIds);
    await expect(page.getByTestId('take-home-qr').getByTestId('gallery-qr').locator('svg')).toBeVisible();
    // Photos go by email only: nothing sends text messages, so the kiosk does not offer them.
    await expect(page.getByTestId('contact-input')).toHaveAttribute('type', 'email');
    await expect(page.getByRole('radio', { name: 'Text message' })).toHaveCount(0);
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-take-home') });
  });

  await test.step('finishing thanks the attendee, ends the session and goes back to the attract screen by itself', async () => {
    const ended = page.waitForResponse(
      (r) => r.request().method() === 'POST' && /\/kiosk-api\/sessions\/[^/]+\/end$/.test(new URL(r.url()).pathname),
    );
    await page.getByTestId('take-home-done').click();
    await expectScreen(page, 'thanks');
    await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-thanks') });
    // No touch: the kiosk must be ready for the next visitor on its own.
    await expectScreen(page, 'attract');
    await expect(page.getByTestId('start-button')).toBeVisible();
    expect((await ended).status()).toBe(204);
  });

  await test.step('the finished session’s photos are no longer served to this kiosk', async () => {
    // Same browser, same kiosk cookie: only the session is over, so the next visitor cannot see them.
    const res = await page.request.get(new URL(firstResultUrl, server.url).toString());
    expect(res.status()).toBeGreaterThanOrEqual(400);
  });
});

test('the kiosk takes the selfie by itself once the attendee holds still in the oval', async ({ page, server }) => {
  await page.setViewportSize(PORTRAIT);
  const photos = await dropEventPhotos(server.watchDir);
  await waitForReadyPhotos(server, photos.all.length);
  const expectedIds = (await photoIdsByName(server, photos.withSelfiePerson)).sort(byNumber);
  await page.goto(`${server.url}/kiosk`);
  await expectScreen(page, 'pairing');
  await pairOnScreen(page, server);

  await pressBreathingButton(page.getByTestId('start-button'));
  await page.getByTestId('consent-accept').click();
  await expectScreen(page, 'camera');
  const selfie = page.waitForResponse(isSelfiePost, { timeout: SEARCH_TIMEOUT_MS });
  // The still picture counts down (3-2-1) and the photo is taken without a touch.
  await expect(page.getByTestId('capture-countdown')).toBeVisible();
  await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-camera-countdown') });
  const response = await selfie;
  expect(response.status(), await response.text()).toBe(200);
  await expectScreen(page, 'results', SEARCH_TIMEOUT_MS);
  expect(await shownPhotoIds(page)).toEqual(expectedIds);
});
