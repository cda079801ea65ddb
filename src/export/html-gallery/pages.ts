// The gallery's pages as text: the index (people, then every photo by time), one page per person,
// and the shared style and script. Pure: the model and the time zone in, files out; the writer
// puts them on disk. The pages open from file:// (a USB stick), so they use only relative links,
// classic scripts and no network of any kind.
import { galleryTheme, type GalleryTheme } from './branding.js';
import type { HtmlGalleryModel, HtmlGalleryPerson, HtmlGalleryPhoto } from './gallery-model.js';
import { escapeHtml, notInsideGallery, pathToHref, searchKey } from './html-text.js';
import { GALLERY_SCRIPT } from './assets/gallery-script.js';
import { GALLERY_STYLE } from './assets/gallery-style.js';
import { formatDay, formatMoment, groupPhotosByTime } from './time-groups.js';

export interface GalleryFile {
  /** Relative to the gallery's root, forward slashes. */
  path: string;
  content: string;
}

export interface GalleryPageOptions {
  /** IANA zone the capture times are shown in: the event's (the laptop's) zone. */
  timeZone: string;
}

export const GALLERY_STYLE_PATH = 'assets/gallery.css';
export const GALLERY_SCRIPT_PATH = 'assets/gallery.js';
/** The folder of person pages; the writer clears stale pages there (a renamed or opted-out person). */
export const PEOPLE_FOLDER = 'people';
/** What a person page's file name looks like: `<name>-<id>.html`. */
export const PERSON_PAGE = /^[a-z0-9-]+-\d+\.html$/;

/** Longest name part of a person page's file name; the id keeps it unique. */
const MAX_SLUG = 40;

/**
 * `people/ana-lucia-12.html`: the name folded to ASCII letters and digits (no accents, no
 * spaces, nothing a file system or a URL could misread) and the person's id, which is unique.
 */
export function personPagePath(person: Pick<HtmlGalleryPerson, 'id' | 'name'>): string {
  const slug = searchKey(person.name)
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG)
    .replace(/^-+|-+$/g, '');
  return `${PEOPLE_FOLDER}/${slug || 'person'}-${person.id}.html`;
}

/** Refuses a model with a path that would point outside the folder or at the network, naming it. */
export function checkGalleryPaths(model: HtmlGalleryModel): void {
  const check = (what: string, path: string): void => {
    const why = notInsideGallery(path);
    if (why !== null)
      throw new Error(
        `Cannot write the HTML gallery: ${what} "${path}" is not a file inside the gallery folder (${why}). ` +
          'Give paths relative to the gallery folder with forward slashes, like "photos/IMG_0001.jpg".',
      );
  };
  if (model.branding.logo !== undefined) check('the logo', model.branding.logo);
  for (const photo of model.photos) {
    check(`photo ${photo.id}'s thumbnail`, photo.thumbnail);
    check(`photo ${photo.id}'s preview`, photo.preview);
    check(`photo ${photo.id}'s download`, photo.download);
  }
  for (const person of model.people) if (person.cover !== null) check(`${person.name}'s cover`, person.cover);
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
}

/** Everything a page needs about the gallery, resolved once. */
interface Gallery {
  model: HtmlGalleryModel;
  theme: GalleryTheme;
  timeZone: string;
  people: Map<number, HtmlGalleryPerson>;
  photos: Map<number, HtmlGalleryPhoto>;
  /**
   * Each photo's tile, by root: a photo with four people is the same tile on their four pages
   * (a 2,000-photo gallery has some 9,000 tiles, 4,000 of them different).
   */
  tiles: Map<string, string>;
}

const ICONS = {
  close: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>',
  previous: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15 5l-7 7 7 7"/></svg>',
  next: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M9 5l7 7-7 7"/></svg>',
  download: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 4v11m-5-5l5 5 5-5M5 20h14"/></svg>',
  search: '<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="11" cy="11" r="6.5"/><path d="M16 16l4.5 4.5"/></svg>',
  back: '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M19 12H5m6-6l-6 6 6 6"/></svg>',
};

function themeStyle(theme: GalleryTheme): string {
  return (
    `:root{--bg:${theme.background};--accent:${theme.accent};--text:${theme.text};` +
    `--muted:${theme.muted};--surface:${theme.surface};--on-accent:${theme.onAccent}}`
  );
}

/** `root` is the way back to the gallery's root from the page: '' or '../'. */
function page(gallery: Gallery, root: string, title: string, body: string): string {
  const { model, theme } = gallery;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="${theme.scheme}">
<meta name="generator" content="Shutterfind">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${root}${GALLERY_STYLE_PATH}">
<style>${themeStyle(theme)}</style>
</head>
<body>
${body}
<footer class="footer">
  <div class="wrap">
    <p>${escapeHtml(model.branding.title)} · Exported on ${escapeHtml(formatDay(model.exportedAt, gallery.timeZone))}</p>
    <p class="muted">Made with Shutterfind · opens offline, no internet needed</p>
  </div>
</footer>
${lightbox()}
<script src="${root}${GALLERY_SCRIPT_PATH}"></script>
</body>
</html>
`;
}

/**
 * The viewer. Its Download link names the file with `download`, which browsers honour over
 * http(s) (the folder put on a web host); Chromium ignores it for a page opened from file://
 * (each local file is its own origin), so the link also opens the full image in a new tab,
 * where the visitor can save it, instead of taking them away from the gallery.
 */
function lightbox(): string {
  return `<div class="lightbox" id="lightbox" role="dialog" aria-modal="true" aria-label="Photo viewer" hidden>
  <div class="lb-bar">
    <p class="lb-count" id="lb-count" aria-live="polite"></p>
    <a class="lb-download" id="lb-download" href="#" download target="_blank" aria-label="Download this photo">${ICONS.download}<span>Download</span></a>
    <button class="icon-button lb-close" id="lb-close" type="button" aria-label="Close (Esc)">${ICONS.close}</button>
  </div>
  <button class="icon-button lb-prev" id="lb-prev" type="button" aria-label="Previous photo">${ICONS.previous}</button>
  <figure class="lb-stage" id="lb-stage"><img class="lb-image" id="lb-image" alt=""></figure>
  <button class="icon-button lb-next" id="lb-next" type="button" aria-label="Next photo">${ICONS.next}</button>
  <div class="lb-caption">
    <p class="lb-title" id="lb-title"></p>
    <p class="lb-meta" id="lb-meta"></p>
    <p class="lb-people" id="lb-people"></p>
  </div>
</div>`;
}

/** The page's header; `figure` is what stands beside the title (the event's logo, or the person's face). */
function masthead(gallery: Gallery, figure: string, lines: { eyebrow: string; heading: string; summary: string }): string {
  return `<header class="masthead">
  <div class="wrap masthead-inner">
    ${figure}
    <div>
      <p class="eyebrow">${escapeHtml(lines.eyebrow)}</p>
      <h1>${escapeHtml(lines.heading)}</h1>
      <p class="summary">${escapeHtml(lines.summary)}</p>
    </div>
  </div>
</header>`;
}

/** The event's dates for the summary line: "13 June 2026", or "13 June 2026 – 15 June 2026". */
function dateSpan(gallery: Gallery): string | null {
  const times = gallery.model.photos.map((p) => p.capturedAt).filter((t): t is number => t !== null);
  if (times.length === 0) return null;
  // Without the weekday: the summary stays on one line on a phone.
  const day = (ms: number): string => formatDay(ms, gallery.timeZone).replace(/^\S+ /, '');
  const [first, last] = [day(times.reduce((a, b) => Math.min(a, b))), day(times.reduce((a, b) => Math.max(a, b)))];
  return first === last ? first : `${first} – ${last}`;
}

function cover(gallery: Gallery, person: HtmlGalleryPerson): string | null {
  if (person.cover !== null) return person.cover;
  const first = person.photos.map((id) => gallery.photos.get(id)).find((p) => p !== undefined);
  return first?.thumbnail ?? null;
}

function avatar(gallery: Gallery, person: HtmlGalleryPerson, root: string, size: 'small' | 'large' = 'small'): string {
  const image = cover(gallery, person);
  const classes = size === 'large' ? 'avatar avatar-large' : 'avatar';
  if (image === null) return `<span class="${classes} avatar-empty" aria-hidden="true">${escapeHtml([...person.name][0] ?? '?')}</span>`;
  return `<span class="${classes}"><img src="${escapeHtml(root + pathToHref(image))}" alt="" loading="lazy" decoding="async"></span>`;
}

function tile(gallery: Gallery, photo: HtmlGalleryPhoto, root: string): string {
  const key = `${root}|${photo.id}`;
  let html = gallery.tiles.get(key);
  if (html === undefined) {
    html = tileHtml(gallery, photo, root);
    gallery.tiles.set(key, html);
  }
  return html;
}

function tileHtml(gallery: Gallery, photo: HtmlGalleryPhoto, root: string): string {
  const people = photo.people.map((id) => gallery.people.get(id)).filter((p): p is HtmlGalleryPerson => p !== undefined);
  const names = people.map((p) => p.name);
  const when = photo.capturedAt === null ? null : formatMoment(photo.capturedAt, gallery.timeZone);
  const meta = [when, photo.camera].filter((part): part is string => part !== null && part !== '').join(' · ');
  const alt = `Photo ${photo.fileName}${when === null ? '' : `, ${when}`}${names.length > 0 ? `, with ${listNames(names)}` : ''}`;
  const links = JSON.stringify(people.map((p) => ({ name: p.name, href: root + pathToHref(personPagePath(p)) })));
  // Width over height sets how wide the tile grows in its row, so a row's photos share one height.
  const ratio = photo.width > 0 && photo.height > 0 ? photo.width / photo.height : 1.5;
  return (
    `<a class="tile" href="${escapeHtml(root + pathToHref(photo.preview))}" style="--r:${ratio.toFixed(4)}"` +
    ` data-photo="${photo.id}" data-preview="${escapeHtml(root + pathToHref(photo.preview))}"` +
    ` data-download="${escapeHtml(root + pathToHref(photo.download))}" data-file="${escapeHtml(photo.fileName)}"` +
    ` data-meta="${escapeHtml(meta)}" data-people="${escapeHtml(links)}">` +
    `<img src="${escapeHtml(root + pathToHref(photo.thumbnail))}" alt="${escapeHtml(alt)}" width="${photo.width}" height="${photo.height}" loading="lazy" decoding="async">` +
    `</a>`
  );
}

function logo(gallery: Gallery, root: string): string {
  const path = gallery.model.branding.logo;
  return path === undefined
    ? ''
    : `<img class="logo" src="${escapeHtml(root + pathToHref(path))}" alt="${escapeHtml(gallery.model.branding.title)}">`;
}

function photoSections(gallery: Gallery, photos: readonly HtmlGalleryPhoto[], root: string, by: 'hour-or-day' | 'day'): string {
  if (photos.length === 0) return '<p class="empty">No photos in this gallery.</p>';
  return groupPhotosByTime(photos, gallery.timeZone, by)
    .map(
      (group) => `<section class="time-group">
  <h3>${escapeHtml(group.label)} <span class="count">${plural(group.photos.length, 'photo', 'photos')}</span></h3>
  <div class="grid">${group.photos.map((photo) => tile(gallery, photo, root)).join('')}</div>
</section>`,
    )
    .join('\n');
}

function indexPage(gallery: Gallery): string {
  const { model } = gallery;
  const summary = [plural(model.photos.length, 'photo', 'photos'), plural(model.people.length, 'person', 'people'), dateSpan(gallery)]
    .filter((part): part is string => part !== null)
    .join(' · ');
  const people =
    model.people.length === 0
      ? ''
      : `<section class="people-section" aria-labelledby="people-heading">
  <div class="section-head">
    <h2 id="people-heading">People</h2>
    <label class="search">${ICONS.search}<span class="visually-hidden">Search people by name</span><input id="people-search" type="search" placeholder="Find someone by name" autocomplete="off" spellcheck="false"></label>
  </div>
  <ul class="people" id="people">
${model.people
  .map(
    (person) =>
      `    <li class="person" data-name="${escapeHtml(searchKey(person.name))}"><a href="${escapeHtml(pathToHref(personPagePath(person)))}">` +
      `${avatar(gallery, person, '')}<span class="person-name">${escapeHtml(person.name)}</span>` +
      `<span class="person-count">${plural(person.photos.length, 'photo', 'photos')}</span></a></li>`,
  )
  .join('\n')}
  </ul>
  <p class="no-match" id="no-match" hidden>No one matches “<span></span>”.</p>
</section>`;
  const body = `${masthead(gallery, logo(gallery, ''), { eyebrow: 'Photo gallery', heading: model.branding.title, summary })}
<main class="wrap">
${people}
<section class="photos-section" aria-labelledby="photos-heading">
  <div class="section-head"><h2 id="photos-heading">All photos</h2></div>
${photoSections(gallery, model.photos, '', 'hour-or-day')}
</section>
</main>`;
  return page(gallery, '', model.branding.title, body);
}

function personPage(gallery: Gallery, person: HtmlGalleryPerson): string {
  const root = '../';
  const photos = person.photos.map((id) => gallery.photos.get(id)).filter((p): p is HtmlGalleryPhoto => p !== undefined);
  const body = `${masthead(gallery, avatar(gallery, person, root, 'large'), {
    eyebrow: gallery.model.branding.title,
    heading: person.name,
    summary: plural(photos.length, 'photo', 'photos'),
  })}
<main class="wrap">
<nav class="crumbs" aria-label="Gallery"><a class="back" href="../index.html">${ICONS.back}<span>All photos and people</span></a></nav>
<section class="photos-section person-photos" aria-label="${escapeHtml(`Photos of ${person.name}`)}">
${photoSections(gallery, photos, root, 'day')}
</section>
</main>`;
  return page(gallery, root, `${person.name} · ${gallery.model.branding.title}`, body);
}

/** Every file of the gallery except the photos themselves (which the export has already copied). */
export function galleryFiles(model: HtmlGalleryModel, options: GalleryPageOptions): GalleryFile[] {
  checkGalleryPaths(model);
  const gallery: Gallery = {
    model,
    theme: galleryTheme(model.branding),
    timeZone: options.timeZone,
    people: new Map(model.people.map((p) => [p.id, p])),
    photos: new Map(model.photos.map((p) => [p.id, p])),
    tiles: new Map(),
  };
  return [
    { path: GALLERY_STYLE_PATH, content: GALLERY_STYLE },
    { path: GALLERY_SCRIPT_PATH, content: GALLERY_SCRIPT },
    ...model.people.map((person) => ({ path: personPagePath(person), content: personPage(gallery, person) })),
    // Last, so a gallery cut short (a stick pulled out) has no index pointing at missing pages.
    { path: 'index.html', content: indexPage(gallery) },
  ];
}
