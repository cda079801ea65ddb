// The desktop app end to end on Electron's real binary: first-run setup, the console signed in,
// the kiosk full-screen on the external display, a photo from the tether folder showing up, and
// an update that waits for the event to end.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import {
  answerFolderPicker,
  answerMessageBoxes,
  askedButtons,
  launchDesktopApp,
  SAMPLE_PHOTO,
  type DesktopApp,
} from './support/desktop-app.js';

test.describe.configure({ mode: 'serial' });

let desktop: DesktopApp;
let consolePage: Page;

test.beforeAll(async () => {
  desktop = await launchDesktopApp();
});
test.afterAll(async () => {
  await desktop?.close();
});

test('the first run asks for the event, the tether folder through the picker and the data folder', async () => {
  const setup = await desktop.app.firstWindow();
  await expect(setup).toHaveURL(/^shutterfind:\/\/setup/);
  await setup.getByLabel('Event name').fill('Desktop gala');
  await answerFolderPicker(desktop.app, desktop.hotFolder);
  await setup.getByRole('button', { name: 'Add a folder…' }).click();
  await expect(setup.getByText(desktop.hotFolder)).toBeVisible();
  await answerFolderPicker(desktop.app, desktop.dataDir);
  await setup.getByRole('button', { name: 'Choose…' }).click();
  await expect(setup.getByLabel('Where Shutterfind keeps its data')).toHaveValue(desktop.dataDir);

  const consoleOpened = desktop.app.waitForEvent('window', { predicate: (p) => p.url().includes('/console') });
  await setup.getByRole('button', { name: 'Start the event' }).click();
  consolePage = await consoleOpened;
});

test('the console opens signed in, without a token to copy', async () => {
  await expect(consolePage.getByTestId('live-feed')).toBeVisible();
  await expect(consolePage.getByTestId('event-name')).toContainText('Desktop gala');
  expect(new URL(consolePage.url()).searchParams.has('token')).toBe(false);
  // The page has the bridge and nothing else of Node.
  expect(await consolePage.evaluate(() => Object.keys((globalThis as unknown as { shutterfind: object }).shutterfind).sort())).toEqual(
    ['appVersion', 'chooseUpdate', 'completeSetup', 'listDisplays', 'openKiosk', 'pickFolder', 'updateState'].sort(),
  );
  expect(await consolePage.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
});

test('the console cannot navigate away from the engine', async () => {
  const before = consolePage.url();
  await consolePage.evaluate(() => ((globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/'));
  await expect.poll(() => consolePage.url()).toBe(before);
});

test('a photo dropped in the tether folder shows up in the console', async () => {
  await copyFile(SAMPLE_PHOTO, join(desktop.hotFolder, 'IMG_0001.JPG'));
  await expect(consolePage.getByTestId('live-feed').getByTestId('photo-card')).toHaveCount(1);
  await expect(consolePage.getByTestId('stat-ready').locator('.c-stat__value')).toHaveText('1', { timeout: 120_000 });
});

test('the kiosk opens full-screen in kiosk mode on the external display (the laptop screen when there is none)', async () => {
  const kioskOpened = desktop.app.waitForEvent('window', { predicate: (p) => p.url().includes('/kiosk') });
  await consolePage.evaluate(() =>
    (globalThis as unknown as { shutterfind: { openKiosk(o: object): Promise<void> } }).shutterfind.openKiosk({}),
  );
  const kiosk = await kioskOpened;
  const placement = await desktop.app.evaluate(({ BrowserWindow, screen }) => {
    const win = BrowserWindow.getAllWindows().find((w) => w.webContents.getURL().includes('/kiosk'))!;
    const primary = screen.getPrimaryDisplay();
    const others = screen.getAllDisplays().filter((d) => d.id !== primary.id && !d.internal);
    const on = screen.getDisplayMatching(win.getBounds());
    return { kiosk: win.isKiosk(), onId: on.id, expectedId: (others[0] ?? primary).id };
  });
  expect(placement.kiosk).toBe(true);
  expect(placement.onId).toBe(placement.expectedId);
  await expect(kiosk.locator('body')).toBeVisible();
});

test('an update that arrives during the event waits for its end and never restarts the app', async () => {
  await answerMessageBoxes(desktop.app, 'when the event ends');
  await desktop.app.evaluate((_electron, version) => {
    (globalThis as unknown as { shutterfindTestHooks: { updateDownloaded(v: string): void } }).shutterfindTestHooks.updateDownloaded(
      version,
    );
  }, '99.0.0');
  await expect.poll(async () => (await askedButtons(desktop.app)).length).toBe(1);
  const [buttons] = await askedButtons(desktop.app);
  expect(buttons).toEqual(['Install when the event ends', 'Install on next quit', 'Skip this version']);
  const state = await consolePage.evaluate(() =>
    (globalThis as unknown as { shutterfind: { updateState(): Promise<unknown> } }).shutterfind.updateState(),
  );
  expect(state).toEqual({ action: 'wait', version: '99.0.0', until: 'event-ends' });
  expect(
    await desktop.app.evaluate(
      () => (globalThis as unknown as { shutterfindTestHooks: { installs: number } }).shutterfindTestHooks.installs,
    ),
  ).toBe(0);
});
