// Regroups an event's photos into bursts from what the store knows (pHash, capture time,
// faces, CLIP vectors), reading thumbnails only for bursts whose frames have no faces to rank.
import { join } from 'node:path';
import type { Logger } from 'pino';
import sharp from 'sharp';
import type { BurstCandidate, BurstsRepository } from '../store/index.js';
import {
  cameraKeyOf,
  chooseBestFrame,
  DEFAULT_BURST_RULES,
  eyeAspectRatio,
  groupBursts,
  imageSharpness,
  multiFrameBursts,
  needsImageSharpness,
  type BurstFrame,
  type BurstGroup,
} from './burst-grouping.js';

export interface RegroupSummary {
  /** Ready photos with a pHash and a capture time. */
  photos: number;
  bursts: number;
  /** Photos inside a burst, best frames included. */
  photosInBursts: number;
}

function toFrame(c: BurstCandidate): BurstFrame {
  return {
    photoId: c.photoId,
    capturedAt: c.capturedAt,
    cameraKey: cameraKeyOf(c),
    phash: c.phash,
    clip: c.clip,
    sharpness: c.faceSharpness,
    eyesOpen: c.mainFaceLandmarks ? eyeAspectRatio(c.mainFaceLandmarks) : null,
  };
}

/**
 * Thumbnail sharpness for the frames of one burst, when face sharpness cannot rank them all.
 * Only multi-frame bursts pay for it (a 400 px WebP decode, ~5 ms), so it is not stored.
 */
async function withImageSharpness(
  dataDir: string,
  log: Logger,
  group: BurstGroup,
  byId: Map<number, BurstCandidate>,
): Promise<BurstFrame[]> {
  return Promise.all(
    group.frames.map(async (f) => {
      const thumb = byId.get(f.photoId)?.thumbnailPath;
      if (!thumb) return { ...f, sharpness: null };
      try {
        const { data, info } = await sharp(join(dataDir, thumb)).greyscale().raw().toBuffer({ resolveWithObject: true });
        return { ...f, sharpness: imageSharpness(data, info.width, info.height) };
      } catch (err) {
        log.warn(
          { photoId: f.photoId, err: (err as Error).message },
          `Cannot read the thumbnail ${thumb}: ranked last in its burst (re-process the photo to rebuild it)`,
        );
        return { ...f, sharpness: null };
      }
    }),
  );
}

/** Regroups the whole event: bursts are rebuilt from scratch in one transaction. */
export async function regroupEventBursts(
  repo: BurstsRepository,
  eventId: number,
  dataDir: string,
  log: Logger,
  now = Date.now(),
): Promise<RegroupSummary> {
  const candidates = repo.loadCandidates(eventId);
  const byId = new Map(candidates.map((c) => [c.photoId, c]));
  const groups = multiFrameBursts(groupBursts(candidates.map(toFrame), DEFAULT_BURST_RULES));
  const bursts = [];
  for (const g of groups) {
    const frames = needsImageSharpness(g) ? await withImageSharpness(dataDir, log, g, byId) : g.frames;
    bursts.push({
      photoIds: g.frames.map((f) => f.photoId),
      bestPhotoId: chooseBestFrame(frames, DEFAULT_BURST_RULES).photoId,
      startedAt: g.startedAt,
      endedAt: g.endedAt,
    });
  }
  repo.replaceBursts(eventId, bursts, now);
  return { photos: candidates.length, bursts: bursts.length, photosInBursts: bursts.reduce((n, b) => n + b.photoIds.length, 0) };
}
