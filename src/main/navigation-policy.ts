// Where the app's windows may go: only pages of the engine's own server. Anything else (a link
// in a photo's caption, a redirect) is denied, so no remote page ever runs in a window that has
// the preload bridge.

/** Scheme and host:port: the origin for http(s), and also for the shell's own shutterfind:// pages (whose URL origin is opaque). */
function originOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

export function sameOrigin(url: string, engineOrigin: string): boolean {
  try {
    return originOf(url) === originOf(engineOrigin);
  } catch {
    // Not a URL at all: certainly not the engine's page.
    return false;
  }
}

export type WindowOpenDecision = { action: 'allow' } | { action: 'deny' };

/** `will-navigate` / `will-redirect`: true where the window may load the URL. */
export function mayNavigate(url: string, engineOrigin: string | null): boolean {
  return engineOrigin !== null && sameOrigin(url, engineOrigin);
}

/** `setWindowOpenHandler`: a new window only for the engine's own pages (a gallery preview, the kiosk). */
export function decideWindowOpen(url: string, engineOrigin: string | null): WindowOpenDecision {
  return mayNavigate(url, engineOrigin) ? { action: 'allow' } : { action: 'deny' };
}

/** The camera for the kiosk page only: the console, galleries and any other page get no permission. */
export function mayUseCamera(permission: string, pageUrl: string, engineOrigin: string | null): boolean {
  if (permission !== 'media' || engineOrigin === null || !sameOrigin(pageUrl, engineOrigin)) return false;
  const path = new URL(pageUrl).pathname;
  return path === '/kiosk' || path.startsWith('/kiosk/');
}
