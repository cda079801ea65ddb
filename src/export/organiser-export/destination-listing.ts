// What the destination holds, asked once per folder instead of once per file. A 2,000-photo export
// writes some 11,000 files (a preview per photo, a hard link per person in it, thumbnails), and a
// stat for each to see whether an earlier run already wrote it cost as much as the copies themselves
// (bench:export: ~20 µs of this thread per check, 0.2 s of a 1.2 s run). A folder's names are read
// when it is first asked about; what this run writes is added as it goes.
//
// Right only while this run is the one writing there: run-export.ts moves renamed folders and
// removes partial files before the first question, and nothing else writes into an export.
import { readdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

export class DestinationListing {
  private readonly folders = new Map<string, Promise<Set<string>>>();

  private namesIn(folder: string): Promise<Set<string>> {
    let names = this.folders.get(folder);
    if (!names) {
      // A folder that is not there yet holds nothing; any other failure is the export's to report.
      names = readdir(folder).then(
        (list) => new Set(list),
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return new Set<string>();
          throw err;
        },
      );
      this.folders.set(folder, names);
    }
    return names;
  }

  /** Whether the file is there (it was when this run started, or this run wrote it). */
  async has(path: string): Promise<boolean> {
    return (await this.namesIn(dirname(path))).has(basename(path));
  }

  /** A file this run has just put under its final name. */
  async add(path: string): Promise<void> {
    (await this.namesIn(dirname(path))).add(basename(path));
  }

  /** A file this run has just removed. */
  async remove(path: string): Promise<void> {
    (await this.namesIn(dirname(path))).delete(basename(path));
  }
}
