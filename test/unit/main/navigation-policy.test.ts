import { describe, expect, it } from 'vitest';
import { decideWindowOpen, mayNavigate, mayUseCamera } from '../../../src/main/navigation-policy.js';

const engine = 'http://127.0.0.1:4321';

describe('where the app’s windows may go', () => {
  it.each([
    ['the console on the engine', `${engine}/console`, true],
    ['a gallery on the engine', `${engine}/g/abc`, true],
    ['another port on the same host', 'http://127.0.0.1:9999/console', false],
    ['localhost by another name', 'http://localhost:4321/console', false],
    ['a remote site', 'https://example.com/', false],
    ['a file on disk', 'file:///etc/passwd', false],
    ['a javascript: URL', 'javascript:alert(1)', false],
    ['not a URL at all', 'console', false],
  ])('%s → %s', (_what, url, allowed) => {
    expect(mayNavigate(url, engine)).toBe(allowed);
    expect(decideWindowOpen(url, engine).action).toBe(allowed ? 'allow' : 'deny');
  });

  it('goes nowhere while the engine has no address (starting or reconnecting)', () => {
    expect(mayNavigate(`${engine}/console`, null)).toBe(false);
  });
});

describe('the camera', () => {
  it.each([
    ['the kiosk page', 'media', `${engine}/kiosk`, true],
    ['a paired kiosk’s page below /kiosk/', 'media', `${engine}/kiosk/pair`, true],
    ['the console', 'media', `${engine}/console`, false],
    ['a page named like the kiosk elsewhere', 'media', 'https://evil.example/kiosk', false],
    ['another permission on the kiosk page', 'geolocation', `${engine}/kiosk`, false],
    ['a path that only starts with kiosk', 'media', `${engine}/kiosks-list`, false],
  ])('%s: %s → %s', (_what, permission, url, allowed) => {
    expect(mayUseCamera(permission, url, engine)).toBe(allowed);
  });
});
