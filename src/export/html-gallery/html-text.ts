// Text that goes into the gallery's pages: every name, file name and path comes from people and
// cameras (a person can be called `<script>` or `O'Brien "Bob"`), so it is escaped where it lands.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe as element text and inside a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * A relative path as a URL reference: each segment percent-encoded, so a file called
 * `Party #2?.jpg` or `100%.jpg` is not read as a fragment, a query or an escape by the browser.
 */
export const pathToHref = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** Why `path` is not a plain relative path inside the gallery folder; null when it is one. */
export function notInsideGallery(path: string): string | null {
  if (path === '') return 'it is empty';
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return 'it has a scheme or drive (a URL or C:), and the gallery must work offline';
  if (path.startsWith('/')) return 'it is absolute';
  if (path.includes('\\')) return 'it uses backslashes (use forward slashes)';
  if (path.split('/').some((segment) => segment === '..')) return 'it climbs out of the gallery folder with ..';
  return null;
}

/** Folds case and accents so "jose" finds "José" (the page's search does the same). */
export const searchKey = (name: string): string =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
