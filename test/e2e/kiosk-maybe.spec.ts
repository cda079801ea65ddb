// "Maybe you?": photos just beyond the sure match are shown apart, start unselected, and go home
// only when the attendee taps them in. The server runs with a match configuration whose sure
// threshold nothing can reach, so every photo of the attendee lands in the "maybe" tier (the
// shipped sure threshold becomes the maybe one): what is tested is the tier, not a distance. A
// tapped-in photo is searched again with the selfie (what it adds is tested on stored vectors in
// person-expansion.test.ts and on the kiosk API in kiosk-flow.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Response } from '@playwright/test';
import type { ConfirmMaybeRequest, KioskResults, TakeHomeRequest } from '../../src/api/index.js';
import { matchThresholdPath } from '../../src/vision/index.js';
import { dropEventPhotos, photoIdsByName } from './support/event-photos.js';
import { newPairingCode } from './support/kiosk.js';
import { screenshotPath } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

const SEARCH_TIMEOUT_MS = 60_000;
const byNumber = (a: number, b: number) => a - b;

function onlyMaybeConfig(): string {
  const shipped = JSON.parse(readFileSync(matchThresholdPath(), 'utf8')) as { searchThreshold: number };
  const file = join(mkdtempSync(join(tmpdir(), 'shutterfind-maybe-')), 'match-threshold.json');
  writeFileSync(file, JSON.stringify({ ...shipped, searchThreshold: 1e-6, maybeThreshold: shipped.searchThreshold }));
  return file;
}

test.use({ serverEnv: { SHUTTERFIND_MATCH_CONFIG: onlyMaybeConfig() } });

const screen = (page: Page) => page.getByTestId('kiosk-screen');
const isSelfiePost = (r: Response) =>
  r.request().method() === 'POST' && /\/kiosk-api\/sessions\/[^/]+\/selfie$/.test(new URL(r.url()).pathname);

test('photos the kiosk is not sure of are shown apart, unselected, and only the ones tapped go home', async ({ page, server }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const photos = await dropEventPhotos(server.watchDir);
  await waitForReadyPhotos(server, photos.all.length);
  const herIds = (await photoIdsByName(server, photos.withSelfiePerson)).sort(byNumber);

  await page.goto(`${server.url}/kiosk`);
  await page.getByTestId('pairing-code-input').fill(await newPairingCode(server));
  await page.getByTestId('pairing-name-input').fill('Entrance kiosk');
  await page.getByTestId('pair-button').click();
  await expect(screen(page)).toHaveAttribute('data-screen', 'attract');
  await page.getByTestId('start-button').click({ force: true });
  const selfie = page.waitForResponse(isSelfiePost, { timeout: SEARCH_TIMEOUT_MS * 2 });
  await page.getByTestId('consent-accept').click();
  await expect(async () => {
    if ((await screen(page).getAttribute('data-screen')) === 'camera') await page.getByTestId('capture-button').click({ timeout: 2_000 });
    expect(await screen(page).getAttribute('data-screen')).toMatch(/searching|results/);
  }).toPass({ timeout: SEARCH_TIMEOUT_MS });
  const results = (await (await selfie).json()) as KioskResults;
  expect(results.matches).toEqual([]);
  expect(results.maybe.map((m) => m.photoId).sort(byNumber)).toEqual(herIds);

  await expect(screen(page)).toHaveAttribute('data-screen', 'results', { timeout: SEARCH_TIMEOUT_MS });
  const maybe = page.getByTestId('maybe-section');
  await expect(maybe).toBeVisible();
  await expect(maybe.getByTestId('maybe-photo')).toHaveCount(herIds.length);
  // None is chosen for the attendee, and none sits among sure results.
  await expect(page.getByTestId('result-photo')).toHaveCount(0);
  await expect(maybe.locator('[data-testid="maybe-photo"][data-selected="true"]')).toHaveCount(0);
  await expect(page.getByTestId('take-home-button')).toBeDisabled();
  // Each shows the face it matched, close up and loaded, for her to judge by.
  const faces = maybe.getByTestId('maybe-face');
  await expect(faces).toHaveCount(herIds.length);
  for (const face of await faces.all()) {
    await expect.poll(() => face.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).naturalWidth)).toBe(150);
  }
  await page.screenshot({ animations: 'disabled', path: screenshotPath('kiosk-results-maybe') });

  // The attendee recognises herself in one of them and taps it in.
  const chosen = maybe.getByTestId('maybe-photo').nth(1);
  const chosenId = Number(await chosen.getAttribute('data-photo-id'));
  const confirmed = page.waitForResponse((r) => /\/kiosk-api\/sessions\/[^/]+\/confirm-maybe$/.test(new URL(r.url()).pathname));
  await chosen.click();
  await expect(chosen).toHaveAttribute('data-selected', 'true');
  // Her tapped-in face is searched with the selfie; nothing here can be sure, so nothing is added
  // for her: a tap never delivers a photo she did not choose.
  const confirmation = await confirmed;
  expect(confirmation.status(), await confirmation.text()).toBe(200);
  expect((JSON.parse(confirmation.request().postData() ?? '{}') as ConfirmMaybeRequest).photoIds).toEqual([chosenId]);
  expect(((await confirmation.json()) as KioskResults).matches).toEqual([]);
  await expect(page.getByTestId('found-by-taps')).toHaveCount(0);
  await expect(page.getByTestId('result-photo')).toHaveCount(0);
  const takeHome = page.waitForResponse((r) => /\/kiosk-api\/sessions\/[^/]+\/take-home$/.test(new URL(r.url()).pathname));
  await page.getByTestId('take-home-button').click();
  const response = await takeHome;
  expect(response.status(), await response.text()).toBe(200);
  expect((JSON.parse(response.request().postData() ?? '{}') as TakeHomeRequest).photoIds).toEqual([chosenId]);
});
