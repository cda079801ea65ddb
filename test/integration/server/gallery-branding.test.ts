// The offline gallery's look set from the console: colours saved in the event's settings, a logo
// uploaded to the laptop (checked with sharp), both used by the next HTML export from the console;
// the files that are not a logo refused with a sentence that says what to send.
import { existsSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, EventSettings, ExportStatus, GalleryLogoView, GalleryLookView } from '../../../src/api/index.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { jsonBody, SAMPLES, startServedEvent, waitForPhotos, type ServedEvent } from './served-event.js';

const LOGO = '/api/events/current/gallery-logo';
const LOOK = '/api/events/current/gallery-look';
const PHOTOS = SAMPLES.slice(0, 2);

let ev: ServedEvent;
let out: string;
let logoPng: Buffer;

beforeAll(async () => {
  ev = await startServedEvent();
  out = await makeTempDir('shutterfind-branding-');
  // A wordmark-shaped PNG: a navy bar with an orange block, as a studio's logo might be.
  logoPng = await sharp({ create: { width: 320, height: 96, channels: 4, background: '#0b1f3a' } })
    .composite([
      {
        input: await sharp({ create: { width: 64, height: 64, channels: 4, background: '#f97316' } })
          .png()
          .toBuffer(),
        left: 16,
        top: 16,
      },
    ])
    .png()
    .toBuffer();
  for (const p of PHOTOS) await copyFile(p, join(ev.watchDir, p.split('/').pop()!));
  await waitForPhotos(
    ev,
    PHOTOS.map((p) => p.split('/').pop()!),
  );
  await ev.engine.whenIdle(ev.eventId);
}, 180_000);

afterAll(async () => {
  await ev?.close();
  await removeDir(out);
});

const upload = (bytes: Buffer, type: string): Promise<Response> =>
  ev.operator(LOGO, { method: 'POST', body: bytes, headers: { 'content-type': type } });

const errorOf = async (res: Response): Promise<string> => {
  const { error } = (await res.json()) as ApiError;
  return `${res.status} ${error.code}: ${error.message}`;
};

/** Starts an HTML export from the console's API and waits for it to end; the gallery's index.html. */
async function exportHtml(folder: string): Promise<{ html: string; root: string }> {
  const to = join(out, folder);
  const started = await ev.operatorJson<ExportStatus>('/api/exports', { method: 'POST', ...jsonBody({ to, as: 'html' }) });
  const end = await waitFor(
    async () => {
      const { export: current } = await ev.operatorJson<{ export: ExportStatus | null }>('/api/exports/current');
      return current?.id === started.id && current.state !== 'running' ? current : undefined;
    },
    `the HTML export into ${to} to end`,
    60_000,
  );
  expect(end.error).toBeNull();
  const entry = end.summary!.entry;
  return { html: await readFile(entry, 'utf8'), root: dirname(entry) };
}

describe("the offline gallery's look from the console", () => {
  it('starts with the default look and no logo', async () => {
    expect(await ev.operatorJson<GalleryLookView>(LOOK)).toEqual({ accent: '', background: '', logo: null });
    expect((await ev.operator(LOGO)).status).toBe(404);
  });

  it("keeps an uploaded PNG as the event's logo and serves it back uncached, to the operator only", async () => {
    const res = await upload(logoPng, 'image/png');
    expect(res.status).toBe(201);
    const saved = (await res.json()) as GalleryLogoView;
    expect(saved).toMatchObject({ type: 'image/png', width: 320, height: 96, bytes: logoPng.length });

    expect((await ev.operatorJson<GalleryLookView>(LOOK)).logo).toEqual(saved);
    const served = await ev.operator(LOGO);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toBe('no-store');
    expect(Buffer.from(await served.arrayBuffer()).equals(logoPng)).toBe(true);

    expect((await fetch(ev.url + LOGO)).status).toBe(401);
    expect((await fetch(ev.url + LOGO, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(ev.url + LOGO, { method: 'POST', body: logoPng, headers: { 'content-type': 'image/png' } })).status).toBe(401);
    expect((await fetch(ev.url + LOOK)).status).toBe(401);
  });

  it('uses the saved colours and the logo in the next HTML export', async () => {
    const settings = await ev.operatorJson<EventSettings>('/api/settings', {
      method: 'PATCH',
      ...jsonBody({ gallery: { accent: '#f97316', background: '#0b1f3a' } }),
    });
    expect(settings.gallery).toEqual({ accent: '#f97316', background: '#0b1f3a' });
    expect(await ev.operatorJson<GalleryLookView>(LOOK)).toMatchObject({ accent: '#f97316', background: '#0b1f3a' });

    const { html, root } = await exportHtml('branded');
    const src = /<img class="logo" src="([^"]+)"/.exec(html)?.[1];
    expect(src).toBe('assets/logo.png');
    expect((await readFile(join(root, src!))).equals(logoPng)).toBe(true);
    expect(html).toContain('--bg:#0b1f3a;--accent:#f97316;');
  }, 90_000);

  it.each([
    ['text', Buffer.from('this is my logo'), 'text/plain', /^415 unsupported-media: Send a PNG, JPEG or WebP image as the logo/],
    [
      'garbage bytes claiming to be a PNG',
      Buffer.from('\x89PNG\r\n\x1a\nnot really a png at all'),
      'image/png',
      /^400 not-an-image: .*PNG, JPEG or WebP/,
    ],
    [
      'an SVG (it can carry scripts)',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'),
      'image/svg+xml',
      /^415 unsupported-media: Send a JPEG, PNG or WebP image/,
    ],
  ])('refuses %s with a 4xx that says what to send, and keeps the logo it had', async (_what, bytes, type, expected) => {
    expect(await errorOf(await upload(bytes, type))).toMatch(expected);
    expect((await ev.operatorJson<GalleryLookView>(LOOK)).logo).toMatchObject({ type: 'image/png', width: 320 });
  });

  it('refuses a logo larger than 2 MB', async () => {
    // Noise does not compress: a real PNG of about 3 MB.
    const big = await sharp(Buffer.from(Array.from({ length: 1000 * 1000 * 3 }, (_, i) => (i * 2654435761) % 251)), {
      raw: { width: 1000, height: 1000, channels: 3 },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(await errorOf(await upload(big, 'image/png'))).toMatch(
      /^413 too-large: The logo is larger than 2 MB: send a smaller PNG, JPEG or WebP/,
    );
    expect((await ev.operatorJson<GalleryLookView>(LOOK)).logo).toMatchObject({ bytes: logoPng.length });
  });

  it('replaces the logo with a WebP, and after DELETE the next export has no logo', async () => {
    const webp = await sharp(logoPng).webp().toBuffer();
    expect(await (await upload(webp, 'image/webp')).json()).toMatchObject({ type: 'image/webp', width: 320, height: 96 });
    expect((await ev.operator(LOGO)).headers.get('content-type')).toBe('image/webp');

    expect((await ev.operator(LOGO, { method: 'DELETE' })).status).toBe(204);
    expect((await ev.operator(LOGO)).status).toBe(404);
    expect((await ev.operatorJson<GalleryLookView>(LOOK)).logo).toBeNull();
    expect(existsSync(join(ev.dataDir, 'events', String(ev.eventId)))).toBe(true);

    const { html, root } = await exportHtml('plain');
    expect(html).not.toContain('class="logo"');
    expect(existsSync(join(root, 'assets', 'logo.webp'))).toBe(false);
    expect(existsSync(join(root, 'assets', 'logo.png'))).toBe(false);
    // The colours stay until the organiser resets them.
    expect(html).toContain('--bg:#0b1f3a;');
  }, 90_000);
});
