// The browser tests' `test`: every test gets its own real server (temp data dir and watched
// folder), stopped and cleaned up afterwards whatever the outcome.
import { test as base, expect } from '@playwright/test';
import { startServer, type RunningServer } from './server.js';

export const test = base.extend<{ serverEnv: Record<string, string>; server: RunningServer }>({
  /** Environment for the server under test (e.g. a match configuration for one test). */
  serverEnv: [{}, { option: true }],
  server: async ({ serverEnv }, use, testInfo) => {
    const server = await startServer({ env: serverEnv });
    try {
      await use(server);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('server output', { body: server.logTail(), contentType: 'text/plain' });
      }
      await server.stop();
    }
  },
});

export { expect };
