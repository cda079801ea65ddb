// One organiser export from start to end: plan, continue what an earlier run left, write every
// photo (faces blurred, XMP), the manifest, then the gallery pages or the ZIP, with progress.
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import yazl from 'yazl';
import { safeFileName } from '../file-names.js';
import { writeHtmlGallery, type HtmlGalleryModel } from '../html-gallery/index.js';
import type { EventToExport, ExportProgress, ExportSummary, OrganiserExportOptions } from './export-model.js';
import { manifestCsv, manifestOf, type Manifest } from './export-manifest.js';
import { ExportRequestError, planExport, sidecarOf, type ExportPlan } from './export-plan.js';
import { checkResumable, readExportState, renamedFolders, stateOf, STATE_FILE, writeExportState } from './export-state.js';
import { DestinationListing } from './destination-listing.js';
import { folderFor, isPartial, partialOf, placeThumbnail, rename as renameIntoPlace, writePlannedPhoto } from './export-files.js';
import { GALLERY_THUMBNAIL_PX, galleryModelOf, thumbnailOf } from './gallery-of-export.js';
import { chooseCovers, coverOf, coversByPhoto, coversOf, writeCover, writePersonCovers } from './person-covers.js';
import { describeWriteError, destinationFull, ExportWriteError } from './write-errors.js';

/** A ZIP export is built as folders here first (resumable), zipped, then this folder is removed. */
export const ZIP_STAGING = '.shutterfind-export-staging';
export const MANIFEST_JSON = 'manifest.json';
/**
 * Photos written at once. Blurring is ~40 ms of sharp (its own threads) and the file writes wait
 * on the disk: with several in flight sharp, the disk and this thread (XMP packets) work side by
 * side. Four keeps libuv's four threads busy (three left one idle); more made no difference in
 * bench:export (eight measured no better than three, within this machine's noise) and each in flight
 * holds a decoded preview while it is blurred.
 */
export const PHOTOS_AT_ONCE = 4;
export const MANIFEST_CSV = 'manifest.csv';

export interface ExportRunDeps {
  now?: () => number;
  onProgress?: (p: ExportProgress) => void;
  /** Stops between photos; what was written stays and a re-run continues from there. */
  signal?: AbortSignal;
  /** The offline gallery's writer, for `--as html` (src/export/html-gallery unless a test gives another). */
  writeGallery?: (dir: string, model: HtmlGalleryModel) => Promise<void>;
}

export const zipNameOf = (eventName: string): string => `${safeFileName(eventName.replace(/[/\\]/g, '_'), 'export')}.zip`;

/** Files the manifest and gallery always rewrite would make every re-run "write" something; unchanged ones are left alone. */
async function writeIfChanged(path: string, text: string): Promise<boolean> {
  if (existsSync(path) && (await readFile(path, 'utf8')) === text) return false;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(partialOf(path), text);
  await rename(partialOf(path), path);
  return true;
}

/** The manifest without the time it was written, to compare runs. */
const sameManifest = (a: Manifest, b: Manifest): boolean =>
  JSON.stringify({ ...a, exportedAt: '' }) === JSON.stringify({ ...b, exportedAt: '' });

async function removePartials(root: string, plan: ExportPlan): Promise<void> {
  const folders = new Set(plan.photos.flatMap((p) => p.files.flatMap((f) => f.places.map((place) => dirname(join(root, place))))));
  folders.add(root);
  for (const folder of folders) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) if (isPartial(name)) await unlink(join(folder, name)).catch(() => undefined);
  }
}

async function writeZip(root: string, plan: ExportPlan, to: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const add = (relative: string, compress: boolean): void => {
    const path = join(root, relative);
    if (existsSync(path)) zip.addFile(path, relative, { compress });
  };
  for (const p of plan.photos) {
    for (const f of p.files) {
      for (const place of f.places) {
        // JPEGs and RAWs are compressed already: stored, so the ZIP is written at disk speed.
        add(place, false);
        if (f.xmp === 'sidecar') add(sidecarOf(place), true);
      }
    }
  }
  add(MANIFEST_JSON, true);
  add(MANIFEST_CSV, true);
  zip.end();
  const tmp = partialOf(to);
  await pipeline(zip.outputStream as unknown as NodeJS.ReadableStream, createWriteStream(tmp));
  await rename(tmp, to);
}

const LOGO_FILE = 'assets/logo';
const LOGO_TYPES = new Set(['.png', '.jpg', '.jpeg', '.svg', '.webp']);

/** Checked before anything is written: a logo the gallery cannot show is the request's mistake. */
function checkLogo(source: string | undefined): void {
  if (source === undefined) return;
  if (!LOGO_TYPES.has(extname(source).toLowerCase())) {
    throw new ExportRequestError(`The logo ${basename(source)} is not a PNG, JPEG, SVG or WebP file: give the gallery one of those.`);
  }
  if (!existsSync(source)) throw new ExportRequestError(`The logo ${source} does not exist: check the path given to --logo.`);
}

/** The organiser's logo, copied into the gallery (it must open from a stick with no network). */
async function copyLogo(source: string, root: string): Promise<string> {
  const target = `${LOGO_FILE}${extname(source).toLowerCase()}`;
  await mkdir(join(root, 'assets'), { recursive: true });
  await copyFile(source, join(root, target));
  return target;
}

export async function runOrganiserExport(
  data: EventToExport,
  options: OrganiserExportOptions,
  deps: ExportRunDeps = {},
): Promise<ExportSummary> {
  const now = deps.now ?? Date.now;
  const started = now();
  const plan = planExport(data, options);
  if (options.as === 'html') checkLogo(options.branding?.logo);
  const destination = resolve(options.to);
  const zipPath = join(destination, zipNameOf(plan.event.name));
  let current: string = STATE_FILE;
  const fail = (err: unknown): never => {
    if (err instanceof ExportWriteError) throw err;
    const there = existsSync(destination);
    const code = (err as NodeJS.ErrnoException | null)?.code;
    const seen =
      there && code !== 'ENOSPC' && destinationFull(destination) ? Object.assign(new Error(String(err)), { code: 'ENOSPC' }) : err;
    throw describeWriteError(seen, current, destination, there);
  };
  await mkdir(destination, { recursive: true }).catch(fail);
  const state = await readExportState(destination);
  checkResumable(state, plan, options.as, options.files, destination);

  const summary: ExportSummary = {
    event: plan.event.name,
    destination,
    as: options.as,
    files: options.files,
    photos: plan.photos.length,
    people: plan.people.length,
    written: 0,
    alreadyThere: 0,
    hardLinks: 0,
    bytes: 0,
    blurredFaces: 0,
    previewsInsteadOfOriginals: plan.previewsInsteadOfOriginals,
    filesWithheld: plan.filesWithheld,
    renamedFolders: [],
    entry: options.as === 'zip' ? zipPath : options.as === 'html' ? join(destination, 'index.html') : destination,
    elapsedMs: 0,
  };
  if (options.as === 'zip' && state?.complete && existsSync(zipPath)) {
    summary.alreadyThere = plan.photos.reduce((n, p) => n + p.files.length, 0);
    return { ...summary, elapsedMs: now() - started };
  }

  const root = options.as === 'zip' ? join(destination, ZIP_STAGING) : destination;
  // Started only if a photo needs it (see FileWriteContext.exiftool): our own writer embeds the rest.
  let exiftool: ExifTool | null = null;
  const startExifTool = (): ExifTool => (exiftool ??= new ExifTool({ maxProcs: 1 }));
  try {
    // A person renamed since the last run: their folder moves, so nothing is exported twice.
    for (const move of renamedFolders(state, plan)) {
      current = move.to;
      if (existsSync(join(root, move.from)) && !existsSync(join(root, move.to))) {
        await mkdir(dirname(join(root, move.to)), { recursive: true }).catch(fail);
        await rename(join(root, move.from), join(root, move.to)).catch(fail);
        summary.renamedFolders.push(move);
      }
    }
    // A finished export being completed again stays marked finished until something is missing.
    await writeExportState(destination, stateOf(plan, options.as, options.files, state?.complete ?? false)).catch(fail);
    await removePartials(root, plan);

    const names = new Map(plan.people.map((p) => [p.id, p.name]));
    const sizes = new Map<number, { width: number; height: number }>();
    const ctx = {
      root,
      xmp: options.xmp,
      exiftool: startExifTool,
      names,
      writing: (file: string) => (current = file),
      needSizes: options.as === 'html',
      made: new Set<string>(),
      listing: new DestinationListing(),
      watermark: options.watermark?.trim() || null,
    };
    // Each person's card face in the HTML gallery (their largest face), by the photo it is cut from.
    const chosenCovers = options.as === 'html' ? chooseCovers(plan) : new Map<number, never>();
    const covers = coversByPhoto(chosenCovers);
    const total = plan.photos.length;
    let done = 0;
    let writtenPhotos = 0;
    const loopStart = now();
    const writeOne = async (planned: (typeof plan.photos)[number]): Promise<void> => {
      // Each photo names its own file in an error (several are written at once).
      let file = planned.files[0]!.places[0]!;
      const failHere = (err: unknown): never => {
        current = file;
        return fail(err);
      };
      // An unplugged stick's mount point disappears: never write the rest onto the laptop's own disk instead.
      if (!existsSync(destination)) failHere(Object.assign(new Error('destination missing'), { code: 'ENOENT' }));
      const r = await writePlannedPhoto(planned, { ...ctx, writing: (f: string) => (file = f) }).catch(failHere);
      summary.written += r.written;
      summary.alreadyThere += r.alreadyThere;
      summary.hardLinks += r.hardLinks;
      summary.bytes += r.bytes;
      summary.blurredFaces += r.blurredFaces;
      if (r.imageSize) sizes.set(planned.photo.id, r.imageSize);
      if (options.as === 'html') {
        file = thumbnailOf(planned);
        const thumb = join(root, file);
        // A thumbnail of the other kind from an earlier run goes: after a new opt-out it would still show the face.
        const other = thumb.endsWith('.webp') ? thumb.replace(/\.webp$/, '.jpg') : thumb.replace(/\.jpg$/, '.webp');
        const { listing } = ctx;
        if (await listing.has(other).catch(failHere)) {
          await unlink(other).catch(() => undefined);
          await listing.remove(other);
        }
        const there = await listing.has(thumb).catch(failHere);
        if (!there && file.endsWith('.webp')) {
          await folderFor(thumb, ctx).catch(failHere);
          await placeThumbnail(planned.photo.thumbnailPath!, thumb).catch(failHere);
          await listing.add(thumb);
        } else if (!there) {
          const image = r.image ?? (await readFile(join(root, planned.files[0]!.places[0]!)).catch(failHere));
          const bytes = await sharp(image)
            .rotate()
            .resize(GALLERY_THUMBNAIL_PX, GALLERY_THUMBNAIL_PX, { fit: 'inside' })
            .jpeg({ quality: 80 })
            .toBuffer();
          await folderFor(thumb, ctx).catch(failHere);
          await writeFile(partialOf(thumb), bytes).catch(failHere);
          await renameIntoPlace(partialOf(thumb), thumb).catch(failHere);
          await listing.add(thumb);
        }
      }
      // A person's card face is cut while their photo is in memory, beside the other photos'
      // file writes, rather than from the written file once every photo is done (0.2 s of a
      // 2,000-photo gallery's end in bench:export).
      for (const [personId, cover] of covers.get(planned.photo.id) ?? []) {
        file = coverOf(personId);
        await writeCover(root, personId, cover, r.image, r.imageSize).catch(failHere);
      }
      done += 1;
      if (r.written > 0) writtenPhotos += 1;
      const left = total - done;
      deps.onProgress?.({
        done,
        total,
        bytes: summary.bytes,
        elapsedMs: now() - started,
        leftMs: writtenPhotos > 0 ? Math.round(((now() - loopStart) / done) * left) : null,
        current: file,
      });
    };
    // A few photos at once: while one photo's files are written, sharp blurs or encodes the next
    // on the other cores. Every worker stops at the first failure or abort,
    // and the run ends only after the ones in flight have finished (nothing is written after it).
    let next = 0;
    let failure: { err: unknown } | null = null;
    const worker = async (): Promise<void> => {
      while (!failure && next < plan.photos.length) {
        if (deps.signal?.aborted) {
          failure = { err: deps.signal.reason };
          return;
        }
        const planned = plan.photos[next++]!;
        await writeOne(planned).catch((err: unknown) => {
          failure ??= { err };
        });
      }
    };
    await Promise.all(Array.from({ length: PHOTOS_AT_ONCE }, worker));
    if (failure) throw (failure as { err: unknown }).err;

    current = MANIFEST_JSON;
    const manifest = manifestOf(plan, options, now());
    const manifestPath = join(root, MANIFEST_JSON);
    const previous = existsSync(manifestPath) ? (JSON.parse(await readFile(manifestPath, 'utf8')) as Manifest) : null;
    if (!previous || !sameManifest(previous, manifest)) {
      await writeIfChanged(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`).catch(fail);
      current = MANIFEST_CSV;
      await writeIfChanged(join(root, MANIFEST_CSV), manifestCsv(manifest)).catch(fail);
    }
    if (options.as === 'html') {
      current = LOGO_FILE;
      const logo = options.branding?.logo ? await copyLogo(options.branding.logo, root).catch(fail) : undefined;
      const branding = { title: plan.event.name, ...options.branding, ...(logo ? { logo } : {}) };
      const model = galleryModelOf(plan, sizes, now(), coversOf(chosenCovers), branding);
      // A card face not cut with its photo (the photo was there from an earlier run) is cut by
      // sharp on its own threads while this thread writes the pages; both settle before a failure is reported.
      const parts = [
        ['faces', writePersonCovers(root, chosenCovers, sizes)],
        ['index.html', (deps.writeGallery ?? writeHtmlGallery)(root, model)],
      ] as const;
      const settled = await Promise.allSettled(parts.map(([, part]) => part));
      settled.forEach((result, i) => {
        if (result.status === 'rejected') {
          current = parts[i]![0];
          fail(result.reason);
        }
      });
    }
    if (options.as === 'zip') {
      current = zipNameOf(plan.event.name);
      await writeZip(root, plan, zipPath).catch(fail);
      await rm(root, { recursive: true, force: true });
    }
    current = STATE_FILE;
    await writeExportState(destination, stateOf(plan, options.as, options.files, true)).catch(fail);
  } finally {
    await (exiftool as ExifTool | null)?.end();
  }
  return { ...summary, elapsedMs: now() - started };
}
