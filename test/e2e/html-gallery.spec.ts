// The organiser's offline HTML gallery, opened the way a client opens it from a USB stick: from
// file://, with no server and no network, in Chromium on a desktop and on a phone. Real images
// (the face-api group photos, scaled to thumbnails and previews with sharp) and the real writer.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import sharp from 'sharp';
import { writeHtmlGallery, type HtmlGalleryModel, type HtmlGalleryPerson, type HtmlGalleryPhoto } from '../../src/export/index.js';
import { REPO_ROOT, SAMPLE_PHOTOS } from './support/paths.js';

const DESKTOP = { viewport: { width: 1440, height: 900 } };
/** A small Android phone in portrait, the narrowest screen the gallery is designed for. */
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const SCREENSHOTS = join(REPO_ROOT, 'docs', 'guide', 'images');
const PHOTO_COUNT = 30;
/** 13 June 2026, 14:05 in Lisbon: the event's afternoon, one photo every seven minutes. */
const EVENT_START = Date.UTC(2026, 5, 13, 13, 5);
const TIME_ZONE = 'Europe/Lisbon';

/** Which sample photos each person is in (the face-api samples are group photos of different people). */
const PEOPLE: { id: number; name: string; samples: number[] }[] = [
  { id: 3, name: 'Ana Lucía Ferreira', samples: [0, 3] },
  { id: 7, name: 'Ben Okafor', samples: [1, 3, 5] },
  { id: 11, name: 'Chloé Martin', samples: [2] },
  { id: 4, name: 'Daniel O’Brien "Danny"', samples: [4, 5] },
  { id: 12, name: 'Person 12', samples: [1] },
];

/** What the image looks like: a different crop (landscape, portrait or square) and mirror per photo, as a photographer's varied framing. */
function framing(
  index: number,
  width: number,
  height: number,
): { left: number; top: number; width: number; height: number; flop: boolean } {
  const shapes = [
    [1, 1],
    [0.62, 1],
    [0.8, 0.8],
    [0.9, 0.75],
    [0.66, 0.99],
  ] as const;
  const [fw, fh] = shapes[index % shapes.length]!;
  const w = Math.round(width * fw);
  const h = Math.round(height * fh);
  const slack = (index * 37) % 100;
  return { left: Math.round(((width - w) * slack) / 100), top: Math.round((height - h) / 2), width: w, height: h, flop: index % 4 === 3 };
}

/** The images the export would have copied (thumbnails, previews, covers, a logo) and the model that points at them. */
async function buildGallery(dir: string): Promise<HtmlGalleryModel> {
  const photos: HtmlGalleryPhoto[] = [];
  for (let i = 0; i < PHOTO_COUNT; i++) {
    const sample = i % SAMPLE_PHOTOS.length;
    const source = SAMPLE_PHOTOS[sample]!;
    const { width = 0, height = 0 } = await sharp(source).metadata();
    const crop = framing(i, width, height);
    // One name with a space, a # and parentheses: the links must encode it.
    const fileName = i === 5 ? 'Party #2 (first dance).jpg' : `IMG_${String(4100 + i * 3)}.jpg`;
    const base = sharp(source).extract(crop).flop(crop.flop);
    const preview = await base
      .clone()
      .resize({ width: 1600, height: 1600, fit: 'inside' })
      .jpeg({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    await mkdir(join(dir, 'previews'), { recursive: true });
    await sharp(preview.data).toFile(join(dir, 'previews', fileName));
    await mkdir(join(dir, 'thumbnails'), { recursive: true });
    await sharp(preview.data)
      .resize({ width: 400, height: 400, fit: 'inside' })
      .jpeg({ quality: 78 })
      .toFile(join(dir, 'thumbnails', fileName));
    photos.push({
      id: 100 + i,
      thumbnail: `thumbnails/${fileName}`,
      preview: `previews/${fileName}`,
      download: `previews/${fileName}`,
      fileName,
      width: preview.info.width,
      height: preview.info.height,
      // The last photo's camera had no clock set.
      capturedAt: i === PHOTO_COUNT - 1 ? null : EVENT_START + i * 7 * 60_000,
      camera: i % 3 === 0 ? 'Canon EOS R6' : 'Sony α7 IV',
      people: PEOPLE.filter((p) => p.samples.includes(sample)).map((p) => p.id),
    });
  }
  const people: HtmlGalleryPerson[] = [];
  for (const person of PEOPLE) {
    const theirs = photos.filter((p) => p.people.includes(person.id)).map((p) => p.id);
    // A square around the most striking part of their first photo (sharp's attention crop finds faces and skin).
    const cover = `covers/${person.id}.jpg`;
    await mkdir(join(dir, 'covers'), { recursive: true });
    await sharp(join(dir, photos.find((p) => p.id === theirs[0])!.preview))
      .resize({ width: 240, height: 240, fit: 'cover', position: sharp.strategy.attention })
      .toFile(join(dir, cover));
    people.push({ id: person.id, name: person.name, photos: theirs, cover: person.id === 12 ? null : cover });
  }
  const logo = Buffer.from(
    '<svg width="240" height="240" viewBox="0 0 240 240"><circle cx="120" cy="120" r="112" fill="#0f766e"/>' +
      '<circle cx="120" cy="120" r="84" fill="none" stroke="#fef3c7" stroke-width="10"/>' +
      '<path d="M70 150 L105 95 L130 130 L148 110 L175 150 Z" fill="#fef3c7"/></svg>',
  );
  await sharp(logo).png().toFile(join(dir, 'logo.png'));
  return {
    branding: { title: 'Marta & Tomás · Wedding', accent: '#0f766e', background: '#f8f6f1', logo: 'logo.png' },
    photos,
    people: [...people].sort(
      (a, b) => (a.name.startsWith('Person ') ? 1 : 0) - (b.name.startsWith('Person ') ? 1 : 0) || a.name.localeCompare(b.name),
    ),
    exportedAt: Date.UTC(2026, 5, 14, 9, 30),
  };
}

let galleryDir: string;
let model: HtmlGalleryModel;

test.beforeAll(async () => {
  galleryDir = await mkdtemp(join(tmpdir(), 'shutterfind-html-gallery-'));
  model = await buildGallery(galleryDir);
  await writeHtmlGallery(galleryDir, model, { timeZone: TIME_ZONE });
});

test.afterAll(async () => {
  await rm(galleryDir, { recursive: true, force: true });
});

/** Every URL the pages asked for, to prove none left the USB stick. */
function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  return urls;
}

const indexUrl = (): string => pathToFileURL(join(galleryDir, 'index.html')).href;

/** The photo ids of the grid's tiles, in page order. */
const tileIds = (page: Page): Promise<number[]> =>
  page.locator('a.tile').evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-photo'))));

/** The photo the viewer shows now, by the file name in its caption. */
const viewerFile = (page: Page) => page.locator('#lb-title');

/** Scrolls every thumbnail into view (they load lazily) and says which ones failed to show an image. */
async function brokenThumbnails(page: Page): Promise<string[]> {
  const broken: string[] = [];
  for (const image of await page.locator('a.tile img').all()) {
    await image.scrollIntoViewIfNeeded();
    await expect.poll(() => image.evaluate((img: { complete: boolean }) => img.complete)).toBe(true);
    if ((await image.evaluate((img: { naturalWidth: number }) => img.naturalWidth)) === 0)
      broken.push((await image.getAttribute('src')) ?? '?');
  }
  return broken;
}

/** Waits until the images on screen have loaded, so a screenshot shows photos rather than grey boxes. */
async function waitForVisibleImages(page: Page): Promise<void> {
  await expect
    .poll(() =>
      page.evaluate(() => {
        const doc = (
          globalThis as unknown as { document: { images: ArrayLike<{ complete: boolean; getBoundingClientRect(): { top: number } }> } }
        ).document;
        const height = (globalThis as unknown as { innerHeight: number }).innerHeight;
        return Array.from(doc.images).every((img) => img.getBoundingClientRect().top > height || img.complete);
      }),
    )
    .toBe(true);
}

test('on a desktop the index shows every photo by hour and every person, search narrows the people, and the viewer steps with the arrow keys and closes with Escape, all from file:// with no network', async ({
  browser,
}) => {
  const context = await browser.newContext(DESKTOP);
  const requests = recordRequests(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(indexUrl());

  await expect(page).toHaveTitle('Marta & Tomás · Wedding');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Marta & Tomás · Wedding');
  expect(await tileIds(page)).toEqual(model.photos.map((p) => p.id));
  // 14:05 to 17:28, then the photo without a capture time.
  await expect(page.locator('.time-group h3')).toHaveText([
    /^14:00 – 15:00/,
    /^15:00 – 16:00/,
    /^16:00 – 17:00/,
    /^17:00 – 18:00/,
    /^Time unknown/,
  ]);
  await expect(page.locator('.person .person-name')).toHaveText(model.people.map((p) => p.name));
  await expect(page.locator('.footer')).toContainText('Exported on Sunday 14 June 2026');

  await waitForVisibleImages(page);
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'html-gallery-desktop.png') });

  await test.step('search narrows the people as the visitor types, ignoring case and accents', async () => {
    const search = page.getByRole('searchbox', { name: 'Search people by name' });
    await search.pressSequentially('chlo');
    await expect(page.locator('.person:visible .person-name')).toHaveText(['Chloé Martin']);
    await search.fill('O’BRIEN');
    await expect(page.locator('.person:visible .person-name')).toHaveText(['Daniel O’Brien "Danny"']);
    await search.fill('nobody here');
    await expect(page.locator('.person:visible')).toHaveCount(0);
    await expect(page.locator('#no-match')).toHaveText('No one matches “nobody here”.');
    await search.fill('');
    await expect(page.locator('.person:visible')).toHaveCount(model.people.length);
  });

  await test.step('the viewer opens on the clicked photo and steps with the arrow keys', async () => {
    await page.locator('a.tile').nth(1).click();
    const viewer = page.getByRole('dialog', { name: 'Photo viewer' });
    await expect(viewer).toBeVisible();
    await expect(viewerFile(page)).toHaveText(model.photos[1]!.fileName);
    await expect(page.locator('#lb-count')).toHaveText(`2 / ${PHOTO_COUNT}`);
    await expect
      .poll(() => page.locator('#lb-image').evaluate((img: { naturalWidth: number }) => img.naturalWidth))
      .toBe(model.photos[1]!.width);
    await page.keyboard.press('ArrowRight');
    await expect(viewerFile(page)).toHaveText(model.photos[2]!.fileName);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect(viewerFile(page)).toHaveText(model.photos[0]!.fileName);
    await expect(page.getByRole('button', { name: 'Previous photo' })).toBeDisabled();
    await page.keyboard.press('Escape');
    await expect(viewer).toBeHidden();
    // Focus goes back to the photo the visitor was on.
    await expect(page.locator('a.tile').first()).toBeFocused();
  });

  expect(await brokenThumbnails(page)).toEqual([]);
  expect(errors).toEqual([]);
  expect(requests.length).toBeGreaterThan(PHOTO_COUNT);
  expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  await context.close();
});

test('on a phone a person’s page lists exactly their photos, a swipe shows the next one, and Download offers that photo’s own file under its own name', async ({
  browser,
}) => {
  const context = await browser.newContext({ ...PHONE, acceptDownloads: true });
  const requests = recordRequests(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(indexUrl());
  await waitForVisibleImages(page);
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, 'html-gallery-phone.png') });

  const ben = model.people.find((p) => p.name === 'Ben Okafor')!;
  await page.locator('.person', { hasText: 'Ben Okafor' }).getByRole('link').tap();
  await expect(page).toHaveURL(/\/people\/ben-okafor-7\.html$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ben Okafor');
  expect(await tileIds(page)).toEqual(ben.photos);
  expect(await brokenThumbnails(page)).toEqual([]);

  await test.step('a tap opens the viewer, a swipe to the left shows the next photo, one to the right goes back', async () => {
    await page.locator('a.tile').first().tap();
    await expect(page.getByRole('dialog', { name: 'Photo viewer' })).toBeVisible();
    const first = model.photos.find((p) => p.id === ben.photos[0])!;
    const second = model.photos.find((p) => p.id === ben.photos[1])!;
    await expect(viewerFile(page)).toHaveText(first.fileName);
    const cdp = await context.newCDPSession(page);
    // A finger's swipe that comes to rest before it lifts: Chromium flings after a fast lift and
    // then swallows the next tap (it only stops the fling), as it would for a real hand.
    let clock = Date.now() / 1000;
    const swipe = async (fromX: number, toX: number): Promise<void> => {
      const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number | null, after: number) =>
        cdp.send('Input.dispatchTouchEvent', { type, touchPoints: x === null ? [] : [{ x, y: 380 }], timestamp: (clock += after) });
      await touch('touchStart', fromX, 1);
      await touch('touchMove', (fromX + toX) / 2, 0.1);
      await touch('touchMove', toX, 0.1);
      await touch('touchMove', toX, 0.3);
      await touch('touchEnd', null, 0.05);
    };
    await swipe(300, 80);
    await expect(viewerFile(page)).toHaveText(second.fileName);
    await swipe(80, 300);
    await expect(viewerFile(page)).toHaveText(first.fileName);
    await swipe(300, 80);
    await expect(viewerFile(page)).toHaveText(second.fileName);
    // Ben's third photo is the one whose file name has a space, a # and parentheses.
    const third = model.photos.find((p) => p.id === ben.photos[2])!;
    expect(third.fileName).toBe('Party #2 (first dance).jpg');
    await swipe(300, 80);
    await expect(viewerFile(page)).toHaveText(third.fileName);

    // Chromium ignores `download` on a page from file://, so the link says it opens the full image in a
    // tab of its own (where it can be saved), and the gallery stays where it was.
    const link = page.getByRole('link', { name: 'Open this photo full size, to save it from there' });
    await expect(link).toHaveText('Full size');
    await expect(link).toHaveAttribute('download', third.fileName);
    expect(await link.evaluate((a: { href: string }) => a.href)).toBe(pathToFileURL(join(galleryDir, third.download)).href);
    const [opened] = await Promise.all([context.waitForEvent('page'), link.tap()]);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(pathToFileURL(join(galleryDir, third.download)).href);
    await expect(viewerFile(page)).toHaveText(third.fileName);
    await opened.close();
  });

  await test.step('the people named in a photo link to their pages', async () => {
    await page.getByRole('dialog').getByRole('link', { name: 'Daniel O’Brien "Danny"' }).tap();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Daniel O’Brien "Danny"');
    expect(await tileIds(page)).toEqual(model.people.find((p) => p.id === 4)!.photos);
  });

  expect(errors).toEqual([]);
  expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  expect(dirname(new URL(page.url()).pathname)).toBe(pathToFileURL(join(galleryDir, 'people')).pathname);
  await context.close();
});

test('put on a web server, the same gallery’s Download saves the photo’s own file under its own name', async ({ browser }) => {
  // An organiser may also upload the folder to their website: there the browser honours `download`.
  const server = createServer((request, response) => {
    const path = join(galleryDir, ...decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname).split('/'));
    if (!path.startsWith(galleryDir)) {
      response.writeHead(403).end();
      return;
    }
    readFile(path).then(
      (body) => response.writeHead(200, { 'content-type': path.endsWith('.html') ? 'text/html' : 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const context = await browser.newContext({ ...DESKTOP, acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`);
    const third = model.photos[5]!;
    expect(third.fileName).toBe('Party #2 (first dance).jpg');
    await page.locator(`a.tile[data-photo="${third.id}"]`).click();
    await expect(viewerFile(page)).toHaveText(third.fileName);
    const link = page.getByRole('link', { name: 'Download this photo' });
    await expect(link).toHaveText('Download');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe(third.fileName);
    expect(await readFile((await download.path())!)).toEqual(await readFile(join(galleryDir, third.download)));
  } finally {
    await context.close();
    await new Promise((done) => server.close(done));
  }
});
