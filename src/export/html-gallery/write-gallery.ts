// Puts the gallery's pages into the export folder, next to the images the export has copied.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HtmlGalleryModel } from './gallery-model.js';
import { galleryFiles, PEOPLE_FOLDER, PERSON_PAGE } from './pages.js';

export interface WriteHtmlGalleryOptions {
  /** IANA zone for capture times; the laptop's own zone (the event's) when absent. */
  timeZone?: string;
}

/**
 * Writes index.html, one page per person and the style and script into `dir`. Re-running into
 * the same folder rewrites the pages, and removes person pages no longer in the model: a person
 * renamed or marked "do not publish" since the last export must not stay reachable by name.
 */
export async function writeHtmlGallery(dir: string, model: HtmlGalleryModel, options: WriteHtmlGalleryOptions = {}): Promise<void> {
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const files = galleryFiles(model, { timeZone });
  const peopleDir = join(dir, PEOPLE_FOLDER);
  const wanted = new Set(files.map((file) => file.path));
  let existing: string[] = [];
  try {
    existing = await readdir(peopleDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const name of existing) {
    if (PERSON_PAGE.test(name) && !wanted.has(`${PEOPLE_FOLDER}/${name}`)) await rm(join(peopleDir, name), { force: true });
  }
  // The folders first, then every page at once: libuv's threads write them side by side (one
  // after another took 0.1 s of a 2,000-photo gallery, 7.6 MB of pages, in bench:export). All
  // settle before the first failure is reported, so nothing is written after its message.
  const paths = files.map((file) => join(dir, ...file.path.split('/')));
  for (const folder of new Set(paths.map((path) => dirname(path)))) await mkdir(folder, { recursive: true });
  const written = await Promise.allSettled(files.map((file, i) => writeFile(paths[i]!, file.content)));
  const failed = written.findIndex((result) => result.status === 'rejected');
  if (failed >= 0) {
    const error = (written[failed] as PromiseRejectedResult).reason as Error;
    throw new Error(
      `Cannot write the HTML gallery's ${files[failed]!.path} in ${dir}: ${error.message} (is the drive full or unplugged?)`,
      { cause: error },
    );
  }
}
