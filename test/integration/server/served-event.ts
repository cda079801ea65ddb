// A real engine (faces on) with the real local server in front of it, on a temp data dir and a
// watched folder, reached over loopback with fetch: what the server tests share.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { SettingsInput } from '../../../src/config/index.js';
import type { Engine } from '../../../src/core/index.js';
import { startServer, type RunningServer } from '../../../src/server/index.js';
import type { KioskResults, KioskSessionView, PairingCode, PhotoCard, PhotoPage } from '../../../src/api/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { composeSelfieFrame, rightmostFace, type FaceBox } from '../../fixtures/fake-camera.js';
import { startTestEngine } from '../../support/engine.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

export const EVENT = 'Garden party';
/** Three to five people per photo, 1920 px wide, shipped with face-api. */
export const SAMPLES = samplePhotoPaths();
/**
 * sample6's rightmost person is the attendee: her nearest face in the other samples is far beyond
 * the match threshold (measured for the browser tests), so she is in sample6 and its edits only.
 */
export const HER_PHOTO = SAMPLES[5]!;
/** Processing a few 1920 px photos with faces takes seconds on a 2-core machine; leave room. */
export const READY_DEADLINE_MS = 90_000;

export interface ServedEvent {
  engine: Engine;
  server: RunningServer;
  url: string;
  token: string;
  dataDir: string;
  watchDir: string;
  eventId: number;
  /** Fetch as the operator (Bearer token). */
  operator(path: string, init?: RequestInit): Promise<Response>;
  /** The operator's JSON, failing with the answer's body when the status is not 2xx. */
  operatorJson<T>(path: string, init?: RequestInit): Promise<T>;
  /** The engine and its server stopped and started again on the same data dir and port (a laptop restarted mid-event). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startServedEvent(settings: SettingsInput = {}): Promise<ServedEvent> {
  const root = await makeTempDir('shutterfind-server-');
  const dataDir = join(root, 'data');
  const watchDir = join(root, 'hot');
  await mkdir(watchDir);
  const start = async (port: number) => {
    const engine = await startTestEngine(dataDir, 'watch', { ...settings, faces: { enabled: true, ...settings.faces } });
    const session = await engine.openEvent(EVENT);
    await session.hotFolders.add(watchDir);
    await session.hotFolders.start();
    const server = await startServer(engine, { eventName: EVENT, version: 'test', port, lan: false });
    return { engine, server, eventId: session.event.id };
  };
  const first = await start(0);
  const operator = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(ev.url + path, {
      ...init,
      headers: { authorization: `Bearer ${ev.token}`, ...(init.headers as Record<string, string> | undefined) },
    });
  const ev: ServedEvent = {
    ...first,
    url: first.server.url,
    token: first.server.operatorToken,
    dataDir,
    watchDir,
    operator,
    async operatorJson<T>(path: string, init?: RequestInit): Promise<T> {
      const res = await operator(path, init);
      if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    },
    async restart() {
      await ev.server.close();
      await ev.engine.stop();
      Object.assign(ev, await start(Number(new URL(ev.url).port)));
    },
    async close() {
      await ev.server.close();
      await ev.engine.stop();
      await removeDir(root);
    },
  };
  return ev;
}

export const jsonBody = (value: unknown): RequestInit => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
export const imageBody = (bytes: Buffer, type = 'image/jpeg'): RequestInit => ({
  method: 'POST',
  body: bytes,
  headers: { 'content-type': type },
});

/** Written under a temporary name and renamed, as tethering tools do, so the watcher takes it whole. */
export async function dropPhoto(watchDir: string, name: string, bytes: Buffer | string): Promise<void> {
  const partial = join(watchDir, `${name}.part`);
  if (typeof bytes === 'string') await copyFile(bytes, partial);
  else await writeFile(partial, bytes);
  await rename(partial, join(watchDir, name));
}

/** Her photo mirrored, as a second photographer's frame from the other side would differ. */
export const mirroredHer = (): Promise<Buffer> => sharp(HER_PHOTO).flop().jpeg({ quality: 90 }).toBuffer();
export const brighterHer = (): Promise<Buffer> => sharp(HER_PHOTO).modulate({ brightness: 1.25 }).jpeg({ quality: 85 }).toBuffer();

export async function listPhotos(ev: ServedEvent): Promise<PhotoCard[]> {
  return (await ev.operatorJson<PhotoPage>('/api/photos?limit=500')).photos;
}

/** The photos of `dropHerPhotos`, by file name. */
export const HER_PHOTO_NAMES = { other: 'IMG_0001.jpg', her: 'IMG_0006.jpg', herMirrored: 'IMG_0006-mirrored.jpg' };

/**
 * Two photos of her (a sample and its mirror image) and one of someone else, dropped into the hot
 * folder and processed: their ids, hers sorted, her photo as the console shows it, and a kiosk
 * selfie of her.
 */
export async function dropHerPhotos(ev: ServedEvent) {
  await dropPhoto(ev.watchDir, HER_PHOTO_NAMES.other, SAMPLES[0]!);
  await dropPhoto(ev.watchDir, HER_PHOTO_NAMES.her, HER_PHOTO);
  await dropPhoto(ev.watchDir, HER_PHOTO_NAMES.herMirrored, await mirroredHer());
  const photos = await waitForPhotos(ev, Object.values(HER_PHOTO_NAMES));
  const ids = {
    other: photos.get(HER_PHOTO_NAMES.other)!.id,
    her: photos.get(HER_PHOTO_NAMES.her)!.id,
    herMirrored: photos.get(HER_PHOTO_NAMES.herMirrored)!.id,
  };
  const her = photos.get(HER_PHOTO_NAMES.her)!;
  return { ids, herIds: [ids.her, ids.herMirrored].sort(byNumber), her, selfie: await selfieOf(her, HER_PHOTO) };
}

/** Waits until every named file is a photo in `status` (default ready), and returns them by name. */
export async function waitForPhotos(
  ev: ServedEvent,
  names: string[],
  status: PhotoCard['status'] = 'ready',
): Promise<Map<string, PhotoCard>> {
  return waitFor(
    async () => {
      const photos = await listPhotos(ev);
      const byName = new Map(photos.map((p) => [p.fileName, p]));
      return names.every((n) => byName.get(n)?.status === status) ? byName : undefined;
    },
    `${names.join(', ')} to be ${status}`,
    READY_DEADLINE_MS,
    100,
  );
}

/** The rightmost face of a processed photo, in the original's pixels, from the API's relative box. */
export function rightmostFaceOf(photo: PhotoCard): FaceBox {
  if (!photo.width || !photo.height) throw new Error(`${photo.fileName} has no size yet`);
  const { width: w, height: h } = photo;
  return rightmostFace(photo.faces.map(({ box: [x, y, bw, bh] }) => ({ x: x * w, y: y * h, width: bw * w, height: bh * h })));
}

/** A kiosk selfie of the rightmost person of `photo` (read from `sourcePath`): her face about 230 px wide on a grey wall. */
export async function selfieOf(photo: PhotoCard, sourcePath: string): Promise<Buffer> {
  return (await composeSelfieFrame(sourcePath, rightmostFaceOf(photo))).jpeg;
}

export interface Kiosk {
  id: number;
  /** The device secret from the sf_kiosk cookie. */
  secret: string;
  /** Fetch with this kiosk's cookie. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  startSession(): Promise<KioskSessionView>;
  search(sessionId: string, selfie: Buffer): Promise<Response>;
}

export async function newPairingCode(ev: ServedEvent): Promise<string> {
  return (await ev.operatorJson<PairingCode>('/api/kiosks/pairing-codes', { method: 'POST' })).code;
}

export function cookieValue(res: Response, name: string): string | undefined {
  for (const c of res.headers.getSetCookie()) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

export async function pairKiosk(ev: ServedEvent, name: string, code?: string): Promise<Kiosk> {
  const res = await fetch(`${ev.url}/kiosk-api/pair`, { method: 'POST', ...jsonBody({ code: code ?? (await newPairingCode(ev)), name }) });
  if (res.status !== 200) throw new Error(`pairing ${name} answered ${res.status}: ${await res.text()}`);
  const { kioskId } = (await res.json()) as { kioskId: number };
  const secret = cookieValue(res, 'sf_kiosk');
  if (!secret) throw new Error(`pairing ${name} set no sf_kiosk cookie`);
  const kioskFetch = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(ev.url + path, {
      ...init,
      headers: { cookie: `sf_kiosk=${encodeURIComponent(secret)}`, ...(init.headers as Record<string, string> | undefined) },
    });
  return {
    id: kioskId,
    secret,
    fetch: kioskFetch,
    async startSession() {
      const r = await kioskFetch('/kiosk-api/sessions', { method: 'POST', ...jsonBody({ consent: true }) });
      if (r.status !== 201) throw new Error(`starting a session on ${name} answered ${r.status}: ${await r.text()}`);
      return (await r.json()) as KioskSessionView;
    },
    search: (sessionId, selfie) => kioskFetch(`/kiosk-api/sessions/${sessionId}/selfie`, imageBody(selfie)),
  };
}

export async function searchOk(kiosk: Kiosk, sessionId: string, selfie: Buffer): Promise<number[]> {
  const res = await kiosk.search(sessionId, selfie);
  if (res.status !== 200) throw new Error(`selfie search answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as KioskResults).matches.map((m) => m.photoId).sort(byNumber);
}

export const byNumber = (a: number, b: number): number => a - b;

export const tokenOfGalleryUrl = (galleryUrl: string): string => {
  const token = /\/g\/([^/?#]+)$/.exec(new URL(galleryUrl).pathname)?.[1];
  if (!token) throw new Error(`no gallery token in ${galleryUrl}`);
  return token;
};

/**
 * A second connection to the engine's SQLite file, for what the API deliberately never shows
 * (selfie embeddings) or cannot do without a clock (an expired link). The engine runs in WAL
 * mode, so a second connection reads a consistent snapshot and may write between its transactions.
 */
export function withDatabase<T>(ev: ServedEvent, use: (db: Database.Database) => T): T {
  const db = new Database(ev.engine.layout.database);
  try {
    db.pragma('busy_timeout = 5000');
    return use(db);
  } finally {
    db.close();
  }
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');
