// Browser tests (test/e2e): the real `shutterfind serve`, real photos and face models, driven
// through Debian's Chromium. Run with `npm run test:e2e` (after `npm run build`).
import { defineConfig, devices } from '@playwright/test';
import { FAKE_CAMERA_VIDEO, LAN_KIOSK_HOST } from './test/e2e/support/paths.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
/** The kiosk's webcam: a looping video of the selfie, written by global-setup.ts. */
const FAKE_CAMERA_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${FAKE_CAMERA_VIDEO}`,
];
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  outputDir: 'test/e2e/.artifacts/results',
  // One server and one browser at a time: the face engine already uses both cores.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: 'list',
  // Processing real photos with real models on a 2-core machine takes seconds per photo.
  timeout: 240_000,
  expect: { timeout: 30_000 },
  use: {
    ...devices['Desktop Chrome'],
    channel: undefined,
    permissions: ['camera'],
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
  projects: [
    {
      name: 'kiosk',
      testMatch: ['kiosk.spec.ts', 'kiosk-maybe.spec.ts', 'kiosk-do-not-publish.spec.ts'],
      use: { launchOptions: { executablePath, args: [...CHROMIUM_ARGS, ...FAKE_CAMERA_ARGS] } },
    },
    {
      // A tablet on the venue network: a name that is not loopback (mapped to this machine), so
      // the browser decides about the camera as it would on a real LAN address.
      name: 'lan-kiosk',
      testMatch: 'lan-kiosk.spec.ts',
      use: {
        ignoreHTTPSErrors: true,
        launchOptions: {
          executablePath,
          args: [...CHROMIUM_ARGS, ...FAKE_CAMERA_ARGS, `--host-resolver-rules=MAP ${LAN_KIOSK_HOST} 127.0.0.1`],
        },
      },
    },
    {
      // A kiosk whose camera sees nobody: Chromium's own test pattern (no video file, so no face).
      name: 'kiosk-no-face',
      testMatch: 'kiosk-no-face.spec.ts',
      use: {
        launchOptions: {
          executablePath,
          args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
        },
      },
    },
    {
      name: 'console',
      testMatch: [
        'console.spec.ts',
        'export.spec.ts',
        'console-do-not-publish.spec.ts',
        'console-sync.spec.ts',
        'console-people-regrouped.spec.ts',
        'console-people-new-photos.spec.ts',
      ],
    },
    { name: 'gallery', testMatch: 'gallery.spec.ts' },
    // The organiser's page of a cloud event: a cloud endpoint only (PostgreSQL, SMTP), no laptop server.
    { name: 'cloud-organiser', testMatch: 'cloud-organiser.spec.ts' },
    // The organiser's offline HTML gallery, opened from file:// (no server).
    { name: 'html-gallery', testMatch: 'html-gallery.spec.ts' },
  ],
});
