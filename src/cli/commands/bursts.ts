// `shutterfind bursts`: group an event's near-identical consecutive frames into bursts
// (--regroup) and list them with the frame shown for each.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { dataDirLayout } from '../../config/index.js';
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
} from '../../pipeline/index.js';
import { createRepositories, openDatabase, type BurstCandidate, type BurstsRepository, type Event } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { UserFacingError } from '../output.js';

export interface RegroupReport {
  event: string;
  /** Ready photos with a pHash and a capture time. */
  photos: number;
  bursts: number;
  /** Photos inside a burst, best frames included. */
  photosInBursts: number;
}

export interface BurstsReport {
  event: string;
  bursts: { id: number; best: { photoId: number; path: string }; photos: { photoId: number; path: string }[] }[];
}

async function withEvent<T>(ctx: CommandContext, eventName: string, fn: (bursts: BurstsRepository, event: Event) => Promise<T> | T): Promise<T> {
  const layout = dataDirLayout(ctx.dataDir);
  if (!existsSync(layout.database)) {
    throw new UserFacingError(`No Shutterfind data in ${ctx.dataDir}: run \`shutterfind serve\` or \`shutterfind ingest\` first.`);
  }
  const db = openDatabase(layout.database);
  try {
    const { events, bursts } = createRepositories(db);
    const event = events.findEventByName(eventName);
    if (!event) {
      const known = events.listEvents().map((e) => e.name);
      throw new UserFacingError(
        `No event named "${eventName}" in ${ctx.dataDir}.` + (known.length ? ` Events: ${known.join(', ')}` : ' There are no events yet.'),
      );
    }
    return await fn(bursts, event);
  } finally {
    db.close();
  }
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
async function withImageSharpness(ctx: CommandContext, group: BurstGroup, byId: Map<number, BurstCandidate>): Promise<BurstFrame[]> {
  return Promise.all(
    group.frames.map(async (f) => {
      const thumb = byId.get(f.photoId)?.thumbnailPath;
      if (!thumb) return { ...f, sharpness: null };
      try {
        const { data, info } = await sharp(join(ctx.dataDir, thumb)).greyscale().raw().toBuffer({ resolveWithObject: true });
        return { ...f, sharpness: imageSharpness(data, info.width, info.height) };
      } catch (err) {
        ctx.log.warn({ photoId: f.photoId, err: (err as Error).message }, `Cannot read the thumbnail ${thumb}: ranked last in its burst (re-process the photo to rebuild it)`);
        return { ...f, sharpness: null };
      }
    }),
  );
}

/** Regroups the whole event: bursts are rebuilt from scratch in one transaction. */
export async function runRegroupBursts(ctx: CommandContext, eventName: string): Promise<RegroupReport> {
  return withEvent(ctx, eventName, async (repo, event) => {
    const candidates = repo.loadCandidates(event.id);
    const byId = new Map(candidates.map((c) => [c.photoId, c]));
    const groups = multiFrameBursts(groupBursts(candidates.map(toFrame), DEFAULT_BURST_RULES));
    const bursts = [];
    for (const g of groups) {
      const frames = needsImageSharpness(g) ? await withImageSharpness(ctx, g, byId) : g.frames;
      bursts.push({
        photoIds: g.frames.map((f) => f.photoId),
        bestPhotoId: chooseBestFrame(frames, DEFAULT_BURST_RULES).photoId,
        startedAt: g.startedAt,
        endedAt: g.endedAt,
      });
    }
    repo.replaceBursts(event.id, bursts, Date.now());
    const report = {
      event: event.name,
      photos: candidates.length,
      bursts: bursts.length,
      photosInBursts: bursts.reduce((n, b) => n + b.photoIds.length, 0),
    };
    ctx.log.info(report, 'bursts regrouped');
    return report;
  });
}

export async function runListBursts(ctx: CommandContext, eventName: string): Promise<BurstsReport> {
  return withEvent(ctx, eventName, (repo, event) => ({
    event: event.name,
    bursts: repo.listBursts(event.id).map((b) => {
      const photos = b.photos.map((p) => ({ photoId: p.photoId, path: p.path }));
      const best = photos.find((p) => p.photoId === b.bestPhotoId) ?? { photoId: b.bestPhotoId, path: '' };
      return { id: b.id, best, photos };
    }),
  }));
}

export function formatRegroup(r: RegroupReport): string {
  return `Event "${r.event}": ${r.photos} photo(s) looked at, ${r.bursts} burst(s) holding ${r.photosInBursts} photo(s)`;
}

export function formatBursts(r: BurstsReport): string {
  if (r.bursts.length === 0) {
    return `Event "${r.event}": no bursts (run \`shutterfind bursts --event "${r.event}" --regroup\` after photos have landed).`;
  }
  const lines = [`Event "${r.event}": ${r.bursts.length} burst(s)`];
  for (const b of r.bursts) {
    lines.push(`  #${b.id}  ${b.photos.length} frames, shown: ${b.best.path}`);
    for (const p of b.photos) if (p.photoId !== b.best.photoId) lines.push(`        ${p.path}`);
  }
  return lines.join('\n');
}
