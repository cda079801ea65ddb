// Thin edge over chokidar: turns file-system events under one hot folder into calls.
import { lstat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isCandidatePhotoName } from '../camera-files/index.js';

export interface FolderWatchHandlers {
  onFile(path: string): void;
  onFileRemoved(path: string): void;
  /** The watched folder itself disappeared (deleted, or its drive was unplugged). */
  onFolderGone(): void;
  onError(error: Error): void;
}

export interface FolderWatch {
  /** Resolves once chokidar has set up watches for the whole tree. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function watchFolder(root: string, handlers: FolderWatchHandlers): FolderWatch {
  const watcher: FSWatcher = watch(root, {
    ignoreInitial: true,
    // A link back up the tree would make chokidar watch forever; cameras never write links.
    followSymlinks: false,
    depth: 32,
    // Tethering tools rename temp files into place; without this chokidar may report the
    // final file before its rename settles.
    atomic: false,
    ignorePermissionErrors: false,
    ignored: (path, stats) => {
      const name = basename(path);
      if (path !== root && name.startsWith('.')) return true;
      return Boolean(stats?.isFile()) && !isCandidatePhotoName(name);
    },
  });
  const onFile = (path: string): void => {
    if (isCandidatePhotoName(basename(path))) handlers.onFile(path);
  };
  watcher.on('add', onFile);
  watcher.on('change', onFile);
  watcher.on('unlink', (path) => handlers.onFileRemoved(path));
  watcher.on('unlinkDir', (path) => {
    if (path === root) handlers.onFolderGone();
  });
  // chokidar drops a link it cannot stat (a loop, a dangling target) without a word; such a
  // file should still get a row that says what is wrong with it.
  watcher.on('raw', (event, name, details) => {
    const watchedPath = (details as { watchedPath?: string } | undefined)?.watchedPath;
    if (event !== 'rename' || !name || !watchedPath || !isCandidatePhotoName(basename(name))) return;
    const full = basename(watchedPath) === name ? watchedPath : join(watchedPath, name);
    void lstat(full).then(
      (st) => {
        if (st.isSymbolicLink()) onFile(full);
      },
      () => undefined,
    );
  });
  watcher.on('error', (err) => handlers.onError(err instanceof Error ? err : new Error(String(err))));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { ready, close: () => watcher.close() };
}
