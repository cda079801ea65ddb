// Where an installation keeps its database, media and logs.
import { isAbsolute, join } from 'node:path';
import envPaths from 'env-paths';

export interface DataDirLayout {
  root: string;
  database: string;
  settings: string;
  logs: string;
  lock: string;
  previews: string;
  thumbnails: string;
  faces: string;
  models: string;
  /** The operator token (mode 0600): stays the same across restarts so a console stays logged in. */
  operatorToken: string;
  /** The kiosk HTTPS certificate and key (LAN mode). */
  tls: string;
  /** Written while `serve` listens: its address and token, for the desktop shell and tests. */
  serverInfo: string;
}

export const DATA_DIR_ENV = 'SHUTTERFIND_DATA_DIR';

/** --data-dir wins, then $SHUTTERFIND_DATA_DIR, then the OS app-data folder. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv) return fromEnv;
  return envPaths('Shutterfind', { suffix: '' }).data;
}

export function dataDirLayout(root: string): DataDirLayout {
  const media = join(root, 'media');
  return {
    root,
    database: join(root, 'shutterfind.db'),
    settings: join(root, 'settings.json'),
    logs: join(root, 'logs'),
    lock: join(root, 'engine.lock'),
    previews: join(media, 'previews'),
    thumbnails: join(media, 'thumbnails'),
    faces: join(media, 'faces'),
    models: join(root, 'models'),
    operatorToken: join(root, 'operator-token'),
    serverInfo: join(root, 'server.json'),
    tls: join(root, 'tls'),
  };
}

export type MediaKind = 'previews' | 'thumbnails' | 'faces';

const MEDIA_EXTENSIONS: Record<MediaKind, string> = { previews: '.jpg', thumbnails: '.webp', faces: '.webp' };

/**
 * Media files are named by the photo's content hash and fanned out by its first two hex
 * digits so no folder holds 100k entries (slow listings on NTFS and exFAT).
 * Returned path is relative to the data dir so the data dir can be moved.
 */
export function mediaRelativePath(kind: MediaKind, sha256: string, suffix = ''): string {
  return join('media', kind, sha256.slice(0, 2), `${sha256}${suffix}${MEDIA_EXTENSIONS[kind]}`);
}

/**
 * A media path made absolute: relative ones (as photos rows keep them) are inside the data dir,
 * absolute ones are left as they are. The photo worker writes previews and thumbnails here and records
 * their content hashes under this path, and the sync differ looks them up by it: one function,
 * so the two never disagree (a mismatch would only make the differ hash every file again).
 */
export function mediaFilePath(root: string, path: string): string {
  return isAbsolute(path) ? path : join(root, path);
}
