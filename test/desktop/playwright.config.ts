// The desktop app's own suite (Playwright's _electron): `npm run test:desktop` on a machine with
// Electron's binary (`npx install-electron` fetches it). Not part of `npm test`: this machine
// cannot download or run Electron. docs/guide/desktop-app.md says where it runs.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: join(tmpdir(), 'shutterfind-desktop-results'),
  // One app at a time: it owns a data dir, a port and the face engine's cores.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  reporter: 'list',
  // Real photos through the real face models on a laptop-class runner take seconds each.
  timeout: 240_000,
  expect: { timeout: 30_000 },
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});
