// Lists the photo files under a folder: used at start-up to find what arrived while the app
// was off, and by one-shot `ingest`.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isCandidatePhotoName } from '../camera-files/index.js';

/** Deeper than any camera tool's dated sub-folders; stops runaway recursion on odd mounts. */
const MAX_DEPTH = 32;

export interface ScanProblem {
  path: string;
  error: NodeJS.ErrnoException;
}

/**
 * Yields candidate photo paths. Symbolic links to folders are not followed (a link back up
 * the tree would loop forever); links named like photos are yielded so the probe reports
 * a broken or looping link on the file's own row.
 */
export async function* listPhotoFiles(root: string, onProblem: (p: ScanProblem) => void): AsyncGenerator<string> {
  const stack: { dir: string; depth: number }[] = [{ dir: root, depth: 0 }];
  while (stack.length > 0) {
    const { dir, depth } = stack.pop()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      onProblem({ path: dir, error: err as NodeJS.ErrnoException });
      continue;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && depth < MAX_DEPTH) subdirs.push(full);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isCandidatePhotoName(entry.name)) {
        yield full;
      }
    }
    for (const d of subdirs.reverse()) stack.push({ dir: d, depth: depth + 1 });
  }
}
