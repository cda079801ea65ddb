// The app's pages and assets as a browser gets them from the real server and the built renderer
// (dist/renderer, made by `npm run build`): which answers a browser may keep, and what a page may load.
import { readdir } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtRendererDir, PAGE_CONTENT_SECURITY_POLICY } from '../../../src/config/index.js';
import { startServedEvent, type ServedEvent } from './served-event.js';

const GALLERY_TOKEN = 'A'.repeat(43);
const YEAR_IMMUTABLE = 'public, max-age=31536000, immutable';

let ev: ServedEvent;
let html: string;

beforeAll(async () => {
  if (!builtRendererDir()) throw new Error('dist/renderer is missing: run `npm run build` before these tests.');
  ev = await startServedEvent();
  html = await (await fetch(`${ev.url}/console`)).text();
});

afterAll(async () => {
  await ev?.close();
});

/** The status of a GET sent as a browser revalidates (fetch would add `cache-control: no-cache` to a conditional request). */
function statusOf(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    get(ev.url + path, { headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** Every asset index.html names (the entry script, preloaded chunks, the stylesheet). */
const assetsOfPage = (page: string): string[] => [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);

describe('cache headers', () => {
  it.each([
    ['/console', 'no-store'],
    ['/kiosk', 'no-store'],
    [`/g/${GALLERY_TOKEN}`, 'private, no-store'],
  ])('the page %s answers cache-control %s, so an upgraded build reaches every tablet and phone at once', async (path, cache) => {
    const res = await fetch(ev.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe(cache);
  });

  it('every content-hashed asset the page names (scripts, preloads, styles) is cached for a year as immutable', async () => {
    const assets = assetsOfPage(html);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(ev.url + asset);
      expect(`${asset} ${res.status} ${res.headers.get('cache-control')}`).toBe(`${asset} 200 ${YEAR_IMMUTABLE}`);
    }
  });

  it('the lazily loaded chunks of each surface are cached the same way as the entry', async () => {
    const files = (await readdir(join(builtRendererDir()!, 'assets'), { withFileTypes: true }))
      .filter((f) => f.isFile())
      .map((f) => f.name);
    expect(files.filter((f) => /^(ConsoleApp|KioskApp|GalleryApp)-/.test(f)).length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const res = await fetch(`${ev.url}/assets/${file}`);
      expect(`${file} ${res.headers.get('cache-control')}`).toBe(`${file} ${YEAR_IMMUTABLE}`);
    }
  });

  it('the kiosk face models, copied under fixed names, are revalidated rather than kept for a year', async () => {
    const models = await readdir(join(builtRendererDir()!, 'assets', 'face-models'));
    expect(models.length).toBeGreaterThan(0);
    for (const model of models) {
      const res = await fetch(`${ev.url}/assets/face-models/${model}`);
      expect(`${model} ${res.status} ${res.headers.get('cache-control')}`).toBe(`${model} 200 no-cache`);
      // Revalidation is a 304 without the body, not a second download.
      expect(await statusOf(`/assets/face-models/${model}`, { 'if-none-match': res.headers.get('etag')! })).toBe(304);
    }
  });

  it('an asset that does not exist is a 404 nobody caches as immutable', async () => {
    const res = await fetch(`${ev.url}/assets/index-00000000.js`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control') ?? '').not.toMatch(/immutable|max-age=[1-9]/);
  });
});

describe('content security policy', () => {
  it.each(['/console', '/kiosk', `/g/${GALLERY_TOKEN}`])(
    'the page %s allows only its own scripts, styles and connections',
    async (path) => {
      const res = await fetch(ev.url + path);
      const csp = res.headers.get('content-security-policy');
      expect(csp).toBe(PAGE_CONTENT_SECURITY_POLICY);
      const directives = new Map(
        csp!
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name!, values]),
      );
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('style-src')).toEqual(["'self'"]);
      expect(directives.get('connect-src')).toEqual(["'self'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    },
  );

  it('the built page has no inline script or style the policy would block', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/);
  });
});
