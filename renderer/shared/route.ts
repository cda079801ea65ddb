// Which surface a page address belongs to. The server sends the same index.html for all of them.
export type Route =
  | { surface: 'console' }
  | { surface: 'kiosk' }
  | { surface: 'gallery'; token: string }
  | { surface: 'redirect'; to: string }
  | { surface: 'not-found' };

export function routeFor(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { surface: 'redirect', to: '/console' };
  if (path === '/console') return { surface: 'console' };
  if (path === '/kiosk') return { surface: 'kiosk' };
  const gallery = /^\/g\/([^/]+)$/.exec(path);
  if (gallery?.[1]) return { surface: 'gallery', token: decodeURIComponent(gallery[1]) };
  return { surface: 'not-found' };
}
