// Which files are one capture. Most event photographers shoot RAW+JPEG: the camera (or the tether
// tool) writes IMG_0412.CR3 and IMG_0412.JPG side by side, the JPEG to deliver at once, the RAW to
// edit later. They are one photo with two files. Decisions only: paths, formats and capture facts in.
import type { PhotoFormat } from './formats.js';

/** 'rendered': what the camera developed (JPEG, HEIF); 'raw': the sensor file. */
export type CaptureRole = 'raw' | 'rendered';

const RAW_FORMATS: ReadonlySet<string> = new Set<PhotoFormat>(['raw-tiff', 'cr3', 'raf']);
// A camera's own developed file. PNG, TIFF and AVIF are exports from an editor, never half of an
// in-camera pair, so they stay photos of their own even next to a RAW of the same name.
const RENDERED_FORMATS: ReadonlySet<string> = new Set<PhotoFormat>(['jpeg', 'heic']);

export function captureRole(format: string | null): CaptureRole | null {
  if (format === null) return null;
  if (RAW_FORMATS.has(format)) return 'raw';
  if (RENDERED_FORMATS.has(format)) return 'rendered';
  return null;
}

/**
 * The extensions a camera gives the developed half of a pair, in the case cameras and tether tools
 * write them (Canon writes .HIF for its HEIF mode). Used to ask the disk whether a RAW's partner is
 * already there.
 */
export const RENDERED_PARTNER_EXTENSIONS: readonly string[] = ['.JPG', '.jpg', '.JPEG', '.jpeg', '.HEIC', '.heic', '.HIF', '.hif'];

/** "/cards/A/IMG_0412.CR3" → folder "/cards/A/" and stem "IMG_0412" (the name without its extension). */
export function splitCaptureName(path: string): { folder: string; stem: string } {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const folder = path.slice(0, cut + 1);
  const name = path.slice(cut + 1);
  const dot = name.lastIndexOf('.');
  return { folder, stem: dot <= 0 ? name : name.slice(0, dot) };
}

/**
 * Same folder and same name but the extension: IMG_0412.CR3 and IMG_0412.JPG. The stem compares
 * without case (a card read on Windows may show img_0412.jpg beside IMG_0412.CR3); the folder must
 * be the very same one, since two cameras in two folders both count IMG_0001 upwards.
 */
export function sameCaptureName(a: string, b: string): boolean {
  if (a === b) return false;
  const x = splitCaptureName(a);
  const y = splitCaptureName(b);
  return x.folder === y.folder && x.stem.toLowerCase() === y.stem.toLowerCase();
}

/** What pairing needs to know of a stored photo. */
export interface PairCandidate {
  id: number;
  path: string;
  format: string | null;
  /** The role of the file already attached to it, if it has one (a photo holds one of each role). */
  companionRole: CaptureRole | null;
  capturedAt: number | null;
  cameraSerial: string | null;
}

const canTake = (c: PairCandidate, role: CaptureRole): boolean => {
  const own = captureRole(c.format);
  return own !== null && own !== role && c.companionRole === null;
};

/**
 * The photo a newly landed file belongs to by name, or null. `candidates` are the event's photos in
 * the file's folder whose name starts with its stem; the partner is the one of the other role that
 * has no partner yet. Two such (IMG_0412.JPG and IMG_0412.HEIC beside one CR3) is a puzzle, not a
 * pair: the RAW stays a photo of its own rather than joining the wrong one.
 */
export function namePartner(path: string, format: string | null, candidates: readonly PairCandidate[]): PairCandidate | null {
  const role = captureRole(format);
  if (role === null) return null;
  const fits = candidates.filter((c) => sameCaptureName(path, c.path) && canTake(c, role));
  return fits.length === 1 ? fits[0]! : null;
}

/**
 * The other half of a capture written under another name or into another folder (a body writing
 * RAW to one card and JPEG to the other, a tether tool renaming one of them): the same capture time
 * to the millisecond on the same camera body (serial). Exactly one candidate or none: a burst from a
 * camera that records whole seconds only has several frames per second, and guessing would merge
 * two different frames into one photo, losing one.
 */
export function capturePartner(photo: PairCandidate, candidates: readonly PairCandidate[]): PairCandidate | null {
  const role = captureRole(photo.format);
  if (role === null || photo.capturedAt === null || !photo.cameraSerial || photo.companionRole !== null) return null;
  const fits = candidates.filter(
    (c) => c.id !== photo.id && c.capturedAt === photo.capturedAt && c.cameraSerial === photo.cameraSerial && canTake(c, role),
  );
  return fits.length === 1 ? fits[0]! : null;
}

/** How long a RAW that landed alone waits for its JPEG before it is processed on its own. */
export interface RawHoldPolicy {
  /** Live tethering: tools write the RAW and the JPEG within about a second of each other. */
  holdMs: number;
  /** After this many RAWs in a row from a folder got no partner, that camera shoots RAW only. */
  unpairedBeforeNoHold: number;
}

/**
 * Pure: the wait for a RAW with no partner yet. With the JPEG already on disk, it is about to be
 * admitted (hashing a 25 MB RAW takes longer than a 8 MB JPEG), so the RAW waits for it. Otherwise
 * a RAW-only shooter must not pay the wait on every frame: after a run of unpaired RAWs the folder
 * is taken as RAW-only until a pair shows up again. A one-shot import with no JPEG on disk has
 * nothing to wait for.
 */
export function rawHoldMs(policy: RawHoldPolicy, facts: { partnerOnDisk: boolean; live: boolean; unpairedRawsInARow: number }): number {
  if (facts.partnerOnDisk) return policy.holdMs;
  if (!facts.live) return 0;
  return facts.unpairedRawsInARow >= policy.unpairedBeforeNoHold ? 0 : policy.holdMs;
}

/** Two stored photos that are one capture: keep the one made from the camera's rendering, attach the RAW. */
export interface StoredPair {
  keepId: number;
  dropId: number;
  by: 'name' | 'capture';
}

/**
 * Pure: the pairs among an event's photos stored before pairs were known (or from a folder added
 * after the fact). By name first (same folder and name, one RAW and one JPEG/HEIF), then by capture
 * time and body for what is left. A photo joins at most one pair.
 */
export function findStoredPairs(photos: readonly PairCandidate[]): StoredPair[] {
  const pairs: StoredPair[] = [];
  const taken = new Set<number>();
  const byName = new Map<string, PairCandidate[]>();
  for (const p of photos) {
    if (captureRole(p.format) === null || p.companionRole !== null) continue;
    const { folder, stem } = splitCaptureName(p.path);
    const key = `${folder}\u0000${stem.toLowerCase()}`;
    byName.set(key, [...(byName.get(key) ?? []), p]);
  }
  const add = (a: PairCandidate, b: PairCandidate, by: StoredPair['by']) => {
    const [keep, drop] = captureRole(a.format) === 'rendered' ? [a, b] : [b, a];
    pairs.push({ keepId: keep.id, dropId: drop.id, by });
    taken.add(a.id).add(b.id);
  };
  for (const group of byName.values()) {
    const raws = group.filter((p) => captureRole(p.format) === 'raw');
    const rendered = group.filter((p) => captureRole(p.format) === 'rendered');
    if (raws.length === 1 && rendered.length === 1) add(raws[0]!, rendered[0]!, 'name');
  }
  const left = photos.filter((p) => !taken.has(p.id));
  for (const p of left) {
    if (taken.has(p.id) || captureRole(p.format) !== 'raw') continue;
    const partner = capturePartner(
      p,
      left.filter((c) => !taken.has(c.id)),
    );
    // The match must hold both ways: the JPEG has exactly this one RAW as its partner too.
    if (
      partner &&
      capturePartner(
        partner,
        left.filter((c) => !taken.has(c.id)),
      )?.id === p.id
    )
      add(p, partner, 'capture');
  }
  return pairs;
}
