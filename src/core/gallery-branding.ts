// The offline HTML gallery's look for one event, as the organiser sets it from the console: the
// colours live in the event's settings, the logo is a file in the event's folder in the data dir
// (events/<id>/gallery-logo.<ext>), checked with sharp before it is kept.
import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { readEventSettings, type DataDirLayout } from '../config/index.js';
import type { OrganiserExportOptions } from '../export/index.js';
import type { Repositories } from '../store/index.js';

/** A logo is shown at most a few hundred pixels wide; 2 MB is a generous PNG of that. */
export const MAX_GALLERY_LOGO_BYTES = 2 * 1024 * 1024;
/** Beyond this a "logo" is a photo or a decompression bomb that every attendee's phone would have to open. */
export const MAX_GALLERY_LOGO_SIDE = 4096;

/** What a browser may send: no SVG, which can carry scripts into the gallery. */
const LOGO_FORMATS = {
  png: { type: 'image/png', ext: '.png' },
  jpeg: { type: 'image/jpeg', ext: '.jpg' },
  webp: { type: 'image/webp', ext: '.webp' },
} as const;
type LogoFormat = keyof typeof LOGO_FORMATS;
export type GalleryLogoType = (typeof LOGO_FORMATS)[LogoFormat]['type'];

export interface GalleryLogo {
  path: string;
  type: GalleryLogoType;
  width: number;
  height: number;
  bytes: number;
  updatedAt: number;
}

export type GalleryLogoProblem = 'too-large' | 'not-an-image' | 'unsupported';

/** A refused logo upload: what was wrong and what to send instead. */
export class GalleryLogoError extends Error {
  override name = 'GalleryLogoError';
  constructor(
    readonly problem: GalleryLogoProblem,
    message: string,
  ) {
    super(message);
  }
}

const WHAT_TO_SEND = `Send a PNG, JPEG or WebP image of at most ${MAX_GALLERY_LOGO_BYTES / 1024 / 1024} MB and ${MAX_GALLERY_LOGO_SIDE} px a side`;

/** Why a decoded upload cannot be the gallery's logo, or null when it can (format is sharp's name for it). */
export function logoProblem(upload: {
  bytes: number;
  format: string | undefined;
  width: number | undefined;
  height: number | undefined;
}): GalleryLogoError | null {
  if (upload.bytes > MAX_GALLERY_LOGO_BYTES) {
    return new GalleryLogoError('too-large', `The logo is ${(upload.bytes / 1024 / 1024).toFixed(1)} MB. ${WHAT_TO_SEND}.`);
  }
  if (upload.format === 'svg') {
    return new GalleryLogoError('unsupported', `SVG logos are not accepted from the browser (an SVG can carry scripts). ${WHAT_TO_SEND}.`);
  }
  if (!upload.format || !(upload.format in LOGO_FORMATS)) {
    return new GalleryLogoError('unsupported', `A ${upload.format} image cannot be the gallery's logo. ${WHAT_TO_SEND}.`);
  }
  if (!upload.width || !upload.height) return new GalleryLogoError('not-an-image', `The logo has no size. ${WHAT_TO_SEND}.`);
  if (Math.max(upload.width, upload.height) > MAX_GALLERY_LOGO_SIDE) {
    return new GalleryLogoError('too-large', `The logo is ${upload.width}×${upload.height} px. ${WHAT_TO_SEND}.`);
  }
  return null;
}

export interface GalleryBrandingDeps {
  repos: Repositories;
  layout: DataDirLayout;
}

export function createGalleryBranding({ repos, layout }: GalleryBrandingDeps) {
  /** By id, not name: a renamed event keeps its folder, and names may hold characters no file system likes. */
  const folderOf = (eventId: number): string => join(layout.root, 'events', String(eventId));
  const logoPaths = (eventId: number): { type: GalleryLogoType; path: string }[] =>
    Object.values(LOGO_FORMATS).map(({ type, ext }) => ({ type, path: join(folderOf(eventId), `gallery-logo${ext}`) }));
  const storedLogo = (eventId: number): { type: GalleryLogoType; path: string } | null =>
    logoPaths(eventId).find((p) => existsSync(p.path)) ?? null;

  return {
    /** The stored logo's file and type, or null: for serving it and for exports. */
    logoFile: storedLogo,

    /** The stored logo with its size (sharp reads only the file's header). */
    async logo(eventId: number): Promise<GalleryLogo | null> {
      const found = storedLogo(eventId);
      if (!found) return null;
      const { width = 0, height = 0 } = await sharp(found.path).metadata();
      const stat = statSync(found.path);
      return { ...found, width, height, bytes: stat.size, updatedAt: Math.round(stat.mtimeMs) };
    },

    /** Checks the upload with sharp and keeps it as the event's logo, replacing any other. Throws GalleryLogoError. */
    async saveLogo(eventId: number, upload: Buffer): Promise<GalleryLogo> {
      // Refused before sharp looks at it: the size alone is enough to say no.
      const tooLarge = logoProblem({ bytes: upload.length, format: 'png', width: 1, height: 1 });
      if (tooLarge) throw tooLarge;
      const meta = await sharp(upload)
        .metadata()
        .catch(() => {
          throw new GalleryLogoError('not-an-image', `The upload is not an image that can be read. ${WHAT_TO_SEND}.`);
        });
      const problem = logoProblem({ bytes: upload.length, format: meta.format, width: meta.width, height: meta.height });
      if (problem) throw problem;
      const format = LOGO_FORMATS[meta.format as LogoFormat];
      const folder = folderOf(eventId);
      await mkdir(folder, { recursive: true });
      const target = join(folder, `gallery-logo${format.ext}`);
      // Written aside and renamed: an export reading the logo meanwhile sees the old one or the new one, whole.
      const partial = `${target}.part`;
      await writeFile(partial, upload);
      await rename(partial, target);
      for (const other of logoPaths(eventId)) if (other.path !== target) await rm(other.path, { force: true });
      const stat = statSync(target);
      return {
        type: format.type,
        path: target,
        width: meta.width,
        height: meta.height,
        bytes: stat.size,
        updatedAt: Math.round(stat.mtimeMs),
      };
    },

    /** True when there was a logo to remove. */
    async removeLogo(eventId: number): Promise<boolean> {
      const found = storedLogo(eventId);
      for (const p of logoPaths(eventId)) await rm(p.path, { force: true });
      return found !== null;
    },

    /** What an HTML export of the event uses: its colours (when set) and its logo (when there is one). */
    exportBranding(eventId: number): NonNullable<OrganiserExportOptions['branding']> {
      const { accent, background } = readEventSettings(repos.events.eventSettings(eventId)).gallery;
      const stored = storedLogo(eventId);
      return { ...(accent ? { accent } : {}), ...(background ? { background } : {}), ...(stored ? { logo: stored.path } : {}) };
    },
  };
}

export type GalleryBranding = ReturnType<typeof createGalleryBranding>;
