// The offline HTML gallery's files as the writer leaves them in an export folder: names people
// typed render as text, every person has a page with exactly their photos, every link is a
// relative path to a file in the folder, and nothing points at the network.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { personPagePath, writeHtmlGallery, type HtmlGalleryModel, type HtmlGalleryPhoto } from '../../../src/export/index.js';
import { galleryTheme } from '../../../src/export/html-gallery/branding.js';

const TIME_ZONE = 'Europe/Lisbon';
/** 13 June 2026, 14:05 in Lisbon. */
const START = Date.UTC(2026, 5, 13, 13, 5);

function photo(id: number, fileName: string, people: number[], capturedAt: number | null = START + id * 60_000): HtmlGalleryPhoto {
  return {
    id,
    thumbnail: `thumbnails/${fileName}`,
    preview: `previews/${fileName}`,
    download: `originals/${fileName}`,
    fileName,
    width: 1600,
    height: 1067,
    capturedAt,
    camera: 'Canon EOS R6',
    people,
  };
}

const HOSTILE = '<script>alert("x")</script>';

function sampleModel(): HtmlGalleryModel {
  return {
    branding: { title: 'Gala </title><script>alert(1)</script>', accent: '#0f766e', logo: 'branding/logo.png' },
    photos: [
      photo(1, 'IMG_0001.jpg', [10, 11]),
      photo(2, 'Party #2 (100%).jpg', [11]),
      photo(3, '"><img src=x onerror=alert(1)>.jpg', [12]),
      photo(4, 'IMG_0004.jpg', [], null),
    ],
    people: [
      { id: 10, name: 'José Álvarez', photos: [1], cover: 'covers/10.jpg' },
      { id: 11, name: `O'Brien "Bob" & Co`, photos: [1, 2], cover: null },
      { id: 12, name: HOSTILE, photos: [3], cover: null },
    ],
    exportedAt: Date.UTC(2026, 5, 14, 9, 30),
  };
}

/** Creates the image files the model points at, as the export would have copied them. */
async function copyImages(dir: string, model: HtmlGalleryModel): Promise<void> {
  const paths = [
    ...model.photos.flatMap((p) => [p.thumbnail, p.preview, p.download]),
    ...model.people.flatMap((p) => (p.cover === null ? [] : [p.cover])),
    ...(model.branding.logo === undefined ? [] : [model.branding.logo]),
  ];
  for (const path of paths) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), 'image');
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

/** Every href and src of a page, as written (HTML entities decoded). */
function links(html: string): string[] {
  const decode = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const found = [...html.matchAll(/\b(?:href|src|data-preview|data-download)="([^"]*)"/g)].map((m) => decode(m[1]!));
  for (const m of html.matchAll(/data-people="([^"]*)"/g))
    found.push(...(JSON.parse(decode(m[1]!)) as { href: string }[]).map((p) => p.href));
  return found;
}

const photoIdsOn = (html: string): number[] => [...html.matchAll(/data-photo="(\d+)"/g)].map((m) => Number(m[1]));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shutterfind-html-gallery-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSample(model = sampleModel()): Promise<HtmlGalleryModel> {
  await copyImages(dir, model);
  await writeHtmlGallery(dir, model, { timeZone: TIME_ZONE });
  return model;
}

describe('writeHtmlGallery', () => {
  it('writes an index, a page per person, and the style and script beside the copied images', async () => {
    const model = await writeSample();
    const pages = model.people.map((p) => personPagePath(p));
    expect(pages).toEqual(['people/jose-alvarez-10.html', 'people/o-brien-bob-co-11.html', 'people/script-alert-x-script-12.html']);
    expect(await filesUnder(dir)).toEqual(expect.arrayContaining(['index.html', 'assets/gallery.css', 'assets/gallery.js', ...pages]));
  });

  it('shows names, titles and file names that contain markup or quotes as text', async () => {
    await writeSample();
    for (const page of ['index.html', 'people/script-alert-x-script-12.html', 'people/o-brien-bob-co-11.html']) {
      const html = await readFile(join(dir, page), 'utf8');
      // The only script on a page is the gallery's own.
      expect(html.match(/<script/g), page).toHaveLength(1);
      expect(html, page).not.toMatch(/<img src=x/);
    }
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    expect(index).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(index).toContain('O&#39;Brien &quot;Bob&quot; &amp; Co');
    expect(index).toContain('<title>Gala &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(index).toContain('data-file="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.jpg"');
  });

  it('gives each person a page with exactly their photos, and links every person from the index', async () => {
    const model = await writeSample();
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    for (const person of model.people) {
      const html = await readFile(join(dir, personPagePath(person)), 'utf8');
      expect(photoIdsOn(html), person.name).toEqual(person.photos);
      expect(links(index)).toContain(personPagePath(person).split('/').map(encodeURIComponent).join('/'));
    }
    expect(photoIdsOn(index)).toEqual(model.photos.map((p) => p.id));
  });

  it('links only relative paths, each to a file in the gallery folder, encoded so a # or % in a name still finds the file', async () => {
    await writeSample();
    const written = new Set(await filesUnder(dir));
    for (const page of [...written].filter((f) => f.endsWith('.html'))) {
      const html = await readFile(join(dir, page), 'utf8');
      for (const link of links(html)) {
        if (link === '#') continue;
        expect(link, `${page} links ${link}`).not.toMatch(/^([a-z][a-z0-9+.-]*:|\/)/i);
        const target = relative(dir, join(dir, dirname(page), decodeURIComponent(link)))
          .split('\\')
          .join('/');
        expect(written.has(target), `${page} links ${link}, which is not in the folder`).toBe(true);
      }
    }
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    expect(index).toContain('src="thumbnails/Party%20%232%20(100%25).jpg"');
    expect(index).toContain('data-download="originals/Party%20%232%20(100%25).jpg"');
  });

  it('writes no http:// or https:// address into any file: the gallery never reaches for the network', async () => {
    await writeSample();
    for (const file of await filesUnder(dir)) {
      if (!/\.(html|css|js)$/.test(file)) continue;
      expect(await readFile(join(dir, file), 'utf8'), file).not.toMatch(/https?:\/\//i);
    }
  });

  it('groups the index by hour for a one-day event, photos without a capture time last, and dates the footer', async () => {
    const model = sampleModel();
    model.photos = [photo(1, 'a.jpg', [], START), photo(2, 'b.jpg', [], START + 60 * 60_000), photo(3, 'c.jpg', [], null)];
    await writeSample(model);
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    const headings = [...index.matchAll(/<h3>([^<]*)</g)].map((m) => m[1]!.trim());
    expect(headings).toEqual(['14:00 – 15:00', '15:00 – 16:00', 'Time unknown']);
    expect(index).toContain('Exported on Sunday 14 June 2026');
  });

  it('groups by day when the event spans several days', async () => {
    const model = sampleModel();
    const day = 24 * 60 * 60_000;
    model.photos = [photo(1, 'a.jpg', [], START), photo(2, 'b.jpg', [], START + 60_000), photo(3, 'c.jpg', [], START + day)];
    await writeSample(model);
    const index = await readFile(join(dir, 'index.html'), 'utf8');
    expect([...index.matchAll(/<h3>([^<]*)</g)].map((m) => m[1]!.trim())).toEqual(['Saturday 13 June 2026', 'Sunday 14 June 2026']);
  });

  it('removes the page of a person left out of a later export (opted out or renamed) and keeps other files', async () => {
    const model = await writeSample();
    await writeFile(join(dir, 'people', 'notes.txt'), 'the organiser’s own file');
    const [kept, , leftOut] = model.people;
    await writeHtmlGallery(dir, { ...model, people: [kept!] }, { timeZone: TIME_ZONE });
    const files = await filesUnder(dir);
    expect(files).toContain(personPagePath(kept!));
    expect(files).not.toContain(personPagePath(leftOut!));
    expect(files).toContain('people/notes.txt');
    expect(await readFile(join(dir, 'index.html'), 'utf8')).not.toContain('alert(&quot;x&quot;)');
  });

  it.each([
    ['a web address', 'https://example.com/a.jpg', /scheme/],
    ['an absolute path', '/home/me/a.jpg', /absolute/],
    ['a Windows drive', 'C:/photos/a.jpg', /scheme or drive/],
    ['a climb out of the folder', 'previews/../../a.jpg', /climbs out/],
  ])('refuses a photo path that is %s, naming the photo, and writes nothing', async (_what, path, why) => {
    const model = sampleModel();
    model.photos[1] = { ...model.photos[1]!, preview: path };
    await expect(writeHtmlGallery(dir, model, { timeZone: TIME_ZONE })).rejects.toThrow(why);
    await expect(writeHtmlGallery(dir, model, { timeZone: TIME_ZONE })).rejects.toThrow(`photo 2's preview "${path}"`);
    expect(await filesUnder(dir)).toEqual([]);
  });
});

describe('personPagePath', () => {
  it.each([
    ['José Álvarez', 3, 'people/jose-alvarez-3.html'],
    ['Person 12', 12, 'people/person-12-12.html'],
    ['../../etc/passwd', 4, 'people/etc-passwd-4.html'],
    ['李雷', 7, 'people/person-7.html'],
    ['CON', 8, 'people/con-8.html'],
    ['a'.repeat(300), 9, `people/${'a'.repeat(40)}-9.html`],
  ])('names the page of %j plainly inside people/', (name, id, expected) => {
    expect(personPagePath({ id, name })).toBe(expected);
  });
});

describe('galleryTheme', () => {
  it('ignores a colour that is not a plain CSS colour (it would land inside a <style>)', () => {
    const theme = galleryTheme({ title: 'x', accent: 'red;}</style><script>alert(1)</script>', background: 'url(x)' });
    expect(theme.accent).toBe('#c2410c');
    expect(theme.background).toBe('#f7f5f2');
  });

  it('writes light text on a dark brand background and dark text on a light one', () => {
    expect(galleryTheme({ title: 'x', background: '#101820' }).text).toBe('#f5f5f4');
    expect(galleryTheme({ title: 'x', background: 'ivory' }).text).toBe('#1c1917');
  });

  it('puts dark text on a light accent (a yellow button) and white text on a dark one', () => {
    expect(galleryTheme({ title: 'x', accent: '#facc15' }).onAccent).toBe('#1c1917');
    expect(galleryTheme({ title: 'x', accent: 'rgb(15, 118, 110)' }).onAccent).toBe('#ffffff');
  });
});
