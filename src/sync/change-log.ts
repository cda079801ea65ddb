// One differ run for an enrolled event: read what the event holds (rows in a few queries, the
// attendee-visible media files hashed once and cached), turn it into operations, and append the
// changes to the log with their sequence numbers and clock stamps (each operation with its digest
// in one transaction). Runs offline too, so each operation carries the time of its change within
// seconds.
import { mediaFilePath } from '../config/index.js';
import type { NewSyncBlob, SyncBlobKind, SyncChangePlan, SyncRepository, SyncSourceRows } from '../store/index.js';
import { eventPayloadsOf, type BlobRef, type PhotoBlobs } from './event-payloads.js';
import { formatStamp, tickClock, type ClockState } from './hybrid-clock.js';
import { contentTypeOf, openMediaHashCache } from './media-hashes.js';
import { diffState, payloadDigest, sentKey, stateDiffer, type EntityChange, type EntityPayload } from './state-differ.js';

export interface ChangeLogDeps {
  repo: SyncRepository;
  dataDir: string;
  deviceId: string;
  /**
   * The file an attendee may see for the photo (relative to the data dir or absolute): the
   * shared thumbnail or preview, or a copy with opted-out faces blurred. Core gives it (the
   * "do not publish" rules), so nothing leaves the laptop that the local gallery would not show.
   */
  attendeeMediaPath(photoId: number, kind: 'thumb' | 'preview'): Promise<string | null>;
  /**
   * True when no face of the event is hidden from attendees right now: every photo's shared
   * thumbnail and preview are then what they see, and the differ takes them from the rows it read
   * instead of asking attendeeMediaPath for each (two queries a file: a third of a differ run
   * at 2,000 photos).
   */
  showsEveryFace?(eventId: number): boolean;
  /** The event's watermark text when watermarking is on, else null: its take-home links in the cloud draw it too. */
  watermarkOf?(eventId: number): string | null;
  now(): number;
}

/** Photos between two yields of the event loop while hashing media: ingest and the kiosk keep the CPU. */
const PHOTOS_PER_YIELD = 25;
/** Payloads built, digested and compared between two yields of the event loop (a few ms of work). */
const PAYLOADS_PER_YIELD = 1_000;
/** Digests of what was sent read between two yields of the event loop (a few ms). */
const DIGESTS_PER_PAGE = 5_000;
/** Changes written in one transaction of the log (a few ms of writes each). */
const CHANGES_PER_WRITE = 5_000;
/** Photos whose files' new hashes are saved in one transaction (a few ms of writes). */
const PHOTOS_PER_HASH_SAVE = 500;
/** Photos (with their faces) read between two yields of the event loop (a few ms of queries). */
const PHOTOS_PER_PAGE = 500;

const yieldToOthers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The whole event's rows, a page of photos at a time. Read in one piece, they held the main thread
 * for 0.4-0.6 s at 25,000 photos (100,000 faces), and a kiosk selfie with it. A change made between
 * two pages is signalled and read by the next run; faces keep the order one read gives them.
 */
export async function wholeEventRows(repo: SyncRepository, eventId: number): Promise<SyncSourceRows> {
  const photos: SyncSourceRows['photos'] = [];
  const faces: SyncSourceRows['faces'] = [];
  let page = repo.sourcePhotoPage(eventId, 0, PHOTOS_PER_PAGE);
  for (;;) {
    photos.push(...page.photos);
    faces.push(...page.faces);
    if (page.photos.length < PHOTOS_PER_PAGE) break;
    await yieldToOthers();
    page = repo.sourcePhotoPage(eventId, page.photos.at(-1)!.id, PHOTOS_PER_PAGE);
  }
  faces.sort((a, b) => a.id - b.id);
  return { photos, faces, ...repo.sourceRest(eventId) };
}

/**
 * Appends the operations the event's changes since the last run call for; how many. With
 * `readyPhotos`, a run over those photos alone (just made ready: their files, their faces, and the
 * persons): puts only, as what it does not read is not gone. The photographer's shooting made a
 * run over the whole event every few seconds (240 ms of the main thread each at 2,000 photos,
 * paced to 5% of a core); over the new photos it is a few ms, and the whole event is read again
 * when something else changes or the last whole run is stale (differ-pacing.ts).
 */
export async function recordChanges(deps: ChangeLogDeps, eventId: number, readyPhotos?: readonly number[]): Promise<number> {
  const { repo } = deps;
  const enrolment = repo.enrolment(eventId);
  if (!enrolment) return 0;
  const rows = readyPhotos ? repo.readyPhotoRows(eventId, readyPhotos) : await wholeEventRows(repo, eventId);
  const hashes = openMediaHashCache(repo);
  const asShared = deps.showsEveryFace?.(eventId) ?? false;
  const mediaPath = (photo: (typeof rows.photos)[number], kind: 'thumb' | 'preview'): Promise<string | null> =>
    asShared ? Promise.resolve(kind === 'thumb' ? photo.thumbnailPath : photo.previewPath) : deps.attendeeMediaPath(photo.id, kind);
  const blobs = new Map<number, PhotoBlobs>();
  const files = new Map<string, NewSyncBlob>();
  // The form the pipeline records thumbnails' and previews' hashes under as it writes them.
  const absolute = (path: string) => mediaFilePath(deps.dataDir, path);
  // Photos an attendee is waiting for (a take-home link, a delivery): their files go up first.
  const waited = new Set([...rows.links, ...rows.deliveries].flatMap((x) => x.photoIds));
  const refOf = async (kind: SyncBlobKind, path: string | null, waitedFor: boolean): Promise<BlobRef | null> => {
    if (!path) return null;
    const full = absolute(path);
    const hashed = await hashes.hashedFile(full);
    if (!hashed || hashed.size === 0) return null;
    const known = files.get(hashed.sha256);
    if (!known)
      files.set(hashed.sha256, { sha256: hashed.sha256, kind, size: hashed.size, path: full, contentType: contentTypeOf(full), waitedFor });
    else if (waitedFor) known.waitedFor = true;
    return hashed;
  };
  type Photo = (typeof rows.photos)[number];
  const pathsOf = async (photo: Photo) => {
    const [thumb, preview] = await Promise.all([mediaPath(photo, 'thumb'), mediaPath(photo, 'preview')]);
    return { photo, thumb, preview };
  };
  const mediaOf = async ({ photo, ...paths }: Awaited<ReturnType<typeof pathsOf>>): Promise<void> => {
    const waitedFor = waited.has(photo.id);
    const [thumb, preview] = await Promise.all([refOf('thumb', paths.thumb, waitedFor), refOf('preview', paths.preview, waitedFor)]);
    // The original is the photo's own file, named by its content hash already.
    let original: BlobRef | null = null;
    if (enrolment.uploadOriginals && photo.sizeBytes) {
      original = { sha256: photo.sha256, size: photo.sizeBytes };
      if (!files.has(photo.sha256)) {
        files.set(photo.sha256, {
          sha256: photo.sha256,
          kind: 'original',
          size: photo.sizeBytes,
          path: photo.path,
          contentType: contentTypeOf(photo.path),
          waitedFor: false,
        });
      }
    }
    blobs.set(photo.id, { thumb, preview, original });
  };
  // A few photos at a time (their files' known hashes in one query, their file checks
  // overlapping), then the event loop is given back. New hashes are saved every 500 photos: the
  // 50,000 of a newly enrolled event of 25,000 photos saved at once held the main thread 0.2-0.3 s.
  for (let i = 0; i < rows.photos.length; i += PHOTOS_PER_YIELD) {
    const chunk = await Promise.all(rows.photos.slice(i, i + PHOTOS_PER_YIELD).map(pathsOf));
    hashes.lookUp(chunk.flatMap((c) => [c.thumb, c.preview]).flatMap((path) => (path ? [absolute(path)] : [])));
    await Promise.all(chunk.map(mediaOf));
    if ((i + PHOTOS_PER_YIELD) % PHOTOS_PER_HASH_SAVE === 0) hashes.save();
    await yieldToOthers();
  }
  hashes.save();
  const descriptors = new Map<number, string>();
  if (enrolment.cloudFaceSearch) {
    for (const [faceId, bytes] of repo.faceDescriptors(eventId)) descriptors.set(faceId, bytes.toString('base64'));
  }
  // Over the whole event, what was sent is read first, a page at a time; payloads are then built,
  // digested and compared a slice at a time, with the event loop given back between slices: at
  // 25,000 photos (125,000 entities) each of these steps held the main thread 0.2-0.3 s in one
  // piece (digesting inside the write transaction below, most of a second), and a kiosk selfie or
  // a console request waited behind it. The write transaction then only checks that no other run
  // appended meanwhile (else it reads what was sent again and compares there).
  const asRead = readyPhotos ? undefined : await sentDigestsAsRead(repo, eventId);
  const differ = asRead ? stateDiffer(asRead.sent) : undefined;
  const payloads: EntityPayload[] = [];
  const digests: string[] = [];
  for (const p of eventPayloadsOf({ rows, blobs, descriptors, watermark: deps.watermarkOf?.(eventId) ?? null })) {
    const digest = payloadDigest(p.op);
    payloads.push(p);
    digests.push(digest);
    differ?.see(p, digest);
    if (payloads.length % PAYLOADS_PER_YIELD === 0) await yieldToOthers();
  }
  const changesAsRead = differ?.changes();
  const now = deps.now();
  // Over a few photos, only what was read is compared: nothing else is taken for gone.
  const only = readyPhotos ? payloads.map((p) => [p.entityKind, p.entityKey] as const) : undefined;
  const waitedFor = [...files.values()].filter((f) => f.waitedFor).map((f) => f.sha256);
  const planOf = (hlc: ClockState, changes: readonly EntityChange[], last: boolean): SyncChangePlan => {
    let clock = hlc;
    const ops: { kind: string; json: string }[] = [];
    const wanted: NewSyncBlob[] = [];
    for (const c of changes) {
      if (!c.op) continue;
      clock = tickClock(clock, now);
      ops.push({ kind: c.op.kind, json: JSON.stringify({ hlc: formatStamp(clock, deps.deviceId), ...c.op }) });
      if (c.op.kind === 'photo.put') {
        for (const ref of [c.op.thumb, c.op.preview, c.op.original]) {
          const file = ref ? files.get(ref.sha256) : undefined;
          if (file) wanted.push(file);
        }
      }
    }
    return {
      ops,
      digests: changes.map((c) => ({ entityKind: c.entityKind, entityKey: c.entityKey, digest: c.digest })),
      hlc: clock,
      blobs: wanted,
      waitedFor: last ? waitedFor : [],
    };
  };
  // The changes compared above are written a slice at a time, each slice's operations with their
  // digests in one transaction, the event loop given back between them: all 125,000 of a newly
  // enrolled event of 25,000 photos in one transaction held the main thread 1.6-2.5 s. A run that
  // stops between two slices leaves a log that holds what its digests say; the next run writes
  // the rest. Should another run append meanwhile, what is left is compared again and written at
  // once, in the transaction.
  let appended = 0;
  let version = asRead?.version;
  for (let from = 0; ; from += CHANGES_PER_WRITE) {
    let last = true;
    const written = repo.appendChanges(
      eventId,
      now,
      (current, sent) => {
        if (!changesAsRead || sent !== asRead?.sent) return planOf(current.hlc, diffState(payloads, sent, digests), true);
        last = from + CHANGES_PER_WRITE >= changesAsRead.length;
        return planOf(current.hlc, changesAsRead.slice(from, from + CHANGES_PER_WRITE), last);
      },
      only,
      asRead && version ? { version, sent: asRead.sent } : undefined,
    );
    appended += written.appended;
    if (last || written.version === null) return appended;
    version = written.version;
    await yieldToOthers();
  }
}

/**
 * The digests of what the log last holds for each entity, read a page at a time with the event
 * loop given back between pages, and the log's version before the first page: a run that
 * appends meanwhile changes it, and the write transaction then reads them again.
 */
async function sentDigestsAsRead(
  repo: SyncRepository,
  eventId: number,
): Promise<{ version: string; sent: Map<string, string> } | undefined> {
  const version = repo.logVersion(eventId);
  if (version === null) return undefined;
  const sent = new Map<string, string>();
  let page = repo.sentDigestPage(eventId, null, DIGESTS_PER_PAGE);
  for (;;) {
    for (const d of page) sent.set(sentKey(d.entityKind, d.entityKey), d.digest);
    if (page.length < DIGESTS_PER_PAGE) return { version, sent };
    await yieldToOthers();
    const last = page.at(-1)!;
    page = repo.sentDigestPage(eventId, [last.entityKind, last.entityKey], DIGESTS_PER_PAGE);
  }
}
