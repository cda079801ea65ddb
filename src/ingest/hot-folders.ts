// Keeps an event's hot folders watched: start-up reconciliation, live watching, and going
// offline and back when a folder is deleted or its drive is unplugged and plugged back in.
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Source, SourcesRepository } from '../store/index.js';
import { LIVE_PRIORITY, type Intake } from './intake.js';
import { listPhotoFiles } from './scan.js';
import { watchFolder, type FolderWatch } from './watcher.js';

export interface HotFoldersDeps {
  sources: SourcesRepository;
  intake: Intake;
  eventId: number;
  log: Logger;
  now?: () => number;
  /** How often watched folders are checked for being there (and offline ones for being back). */
  presenceCheckMs?: number;
  onSourceState?: (source: Source) => void;
}

export interface HotFolders {
  /** Attaches every source the event already has (scanning what arrived while the app was off). */
  start(): Promise<void>;
  add(path: string): Promise<Source>;
  /** Stops watching a folder. Its photos stay in the event; the folder itself is left alone. */
  remove(sourceId: number): Promise<boolean>;
  list(): Source[];
  close(): Promise<void>;
}

/**
 * How often each folder's presence is checked. Neither an unplugged drive nor its return is
 * reliably announced: chokidar reports a deleted root only sometimes on Linux, and an
 * unmounted volume may send nothing at all. A stat of each root every 2 s costs nothing.
 */
const DEFAULT_PRESENCE_CHECK_MS = 2_000;

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export function createHotFolders(deps: HotFoldersDeps): HotFolders {
  const now = deps.now ?? Date.now;
  const presenceMs = deps.presenceCheckMs ?? DEFAULT_PRESENCE_CHECK_MS;
  const watches = new Map<number, { watch: FolderWatch; source: Source }>();
  /** Folders that are gone for now, looked for again on every presence check. */
  const offline = new Map<number, Source>();
  const attaching = new Set<number>();
  let closed = false;

  const setState = (source: Source, state: Source['state'], error: string | null): void => {
    try {
      deps.sources.setSourceState(source.id, state, error, now());
    } catch (err) {
      // A full data drive must not stop the watching itself; the state is shown again on the next change.
      deps.log.error({ sourceId: source.id, err }, `Cannot save the state of folder ${source.path}`);
    }
    const updated = { ...source, state, error };
    deps.onSourceState?.(updated);
  };

  const goOffline = (source: Source, why: string): void => {
    if (offline.has(source.id)) return;
    const w = watches.get(source.id);
    watches.delete(source.id);
    void w?.watch.close();
    offline.set(source.id, source);
    const error = `Folder ${source.path} ${why}. Shutterfind resumes watching it when it is back.`;
    deps.log.warn({ sourceId: source.id, path: source.path }, error);
    setState(source, 'offline', error);
  };

  const reconcile = async (source: Source): Promise<void> => {
    for await (const path of listPhotoFiles(source.path, (p) => {
      deps.log.warn({ sourceId: source.id, path: p.path, code: p.error.code }, `Cannot list ${p.path}: ${p.error.message}`);
    })) {
      if (closed) return;
      deps.intake.submit(path, source.id, undefined, source.path);
    }
  };

  const presenceTimer = setInterval(() => {
    for (const { source } of watches.values()) {
      void isFolder(source.path).then((there) => {
        if (!there && !closed && watches.has(source.id)) goOffline(source, 'disappeared (deleted, or its drive was unplugged)');
      });
    }
    for (const source of offline.values()) {
      void isFolder(source.path).then((back) => {
        if (!back || closed || !offline.delete(source.id)) return;
        deps.log.info({ sourceId: source.id, path: source.path }, 'Folder is back; resuming');
        void attach(source);
      });
    }
  }, presenceMs);
  presenceTimer.unref();

  async function attach(source: Source): Promise<void> {
    // One watcher per folder, however often attach is asked for (add, start, reappearing).
    if (closed || watches.has(source.id) || offline.has(source.id) || attaching.has(source.id)) return;
    attaching.add(source.id);
    try {
      await attachOnce(source);
    } finally {
      attaching.delete(source.id);
    }
  }

  async function attachOnce(source: Source): Promise<void> {
    if (!(await isFolder(source.path))) {
      goOffline(source, 'is missing (deleted, renamed, or its drive is unplugged)');
      return;
    }
    // Watch first, then scan: a file landing in between is seen twice, which admission ignores,
    // rather than not at all.
    const w = watchFolder(source.path, {
      onFile: (path) => deps.intake.submit(path, source.id, LIVE_PRIORITY, source.path),
      onFileRemoved: (path) => deps.intake.removed(path),
      onFolderGone: () => goOffline(source, 'disappeared (deleted, or its drive was unplugged)'),
      onError: (err) => {
        deps.log.error({ sourceId: source.id, err }, `Watching ${source.path} failed: ${err.message}`);
        void isFolder(source.path).then((ok) => {
          if (!ok) goOffline(source, 'became unreachable');
        });
      },
    });
    watches.set(source.id, { watch: w, source });
    await w.ready;
    setState(source, 'watching', null);
    await reconcile(source);
  }

  return {
    async start() {
      await Promise.all(deps.sources.listSources(deps.eventId).map((s) => attach(s)));
    },
    async add(path) {
      const existing = deps.sources.listSources(deps.eventId).find((s) => s.path === path);
      const source = existing ?? deps.sources.ensureSource(deps.eventId, path, now());
      await attach(source);
      return deps.sources.listSources(deps.eventId).find((s) => s.id === source.id) ?? source;
    },
    async remove(sourceId) {
      const source = deps.sources.listSources(deps.eventId).find((s) => s.id === sourceId);
      if (!source) return false;
      offline.delete(sourceId);
      const watched = watches.get(sourceId);
      watches.delete(sourceId);
      await watched?.watch.close();
      setState(source, 'removed', null);
      return true;
    },
    list: () => deps.sources.listSources(deps.eventId),
    async close() {
      closed = true;
      clearInterval(presenceTimer);
      offline.clear();
      await Promise.all([...watches.values()].map((w) => w.watch.close()));
      watches.clear();
    },
  };
}
