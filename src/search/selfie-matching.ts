// A selfie to ranked photos of the event: checked to be an image, analysed on the selfie worker,
// judged (one clear face, enough light), then searched in the event's in-memory index. The one
// selfie path: the kiosk, the console's search and `shutterfind search --selfie` all come here,
// so they apply the same rules and give the same answer for the same picture.
import sharp from 'sharp';
import type { Repositories } from '../store/index.js';
import { dominantFace, SelfieError } from './selfie.js';
import type { CentreRule } from './person-expansion.js';
import type { SureAtScale } from './sure-distance.js';
import { tieredPhotosForEmbedding, type SelfieMatch } from './selfie-search.js';
import type { FaceIndexCache } from './face-index-cache.js';
import type { AnalysedSelfie } from '../photo/index.js';
import type { MatchThreshold } from '../vision/index.js';

/** Runs the face engine on a selfie (the engine's selfie worker, off the main thread). */
export type AnalyseSelfie = (image: Buffer) => Promise<AnalysedSelfie>;

export interface SelfieMatching {
  repos: Repositories;
  faceIndexes: FaceIndexCache;
  analyseSelfie: AnalyseSelfie;
  distances: KioskDistances;
}

/** The distances of a kiosk search, from the one calibrated configuration (kioskDistances). */
export interface KioskDistances {
  /** Sure photos (searchThreshold). */
  threshold: number;
  /** "Maybe you?" photos: a face beyond `threshold` but within this (maybeThreshold). */
  maybeThreshold: number;
  /** Persons vouching for their photos through their centre (personThreshold; `verify`'s pair threshold as reach; regrouped at groupThreshold). */
  personCentres: CentreRule;
  /** The sure distance tightens in events larger than it was calibrated for (sureAtScale; none for older configurations). */
  sureAtScale?: SureAtScale;
}

/** match-threshold.json's distances as the kiosk's search uses them: every selfie search reads them from here. */
export function kioskDistances(
  config: Pick<MatchThreshold, 'threshold' | 'searchThreshold' | 'maybeThreshold' | 'personThreshold' | 'groupThreshold' | 'sureAtScale'>,
): KioskDistances {
  return {
    threshold: config.searchThreshold,
    maybeThreshold: config.maybeThreshold,
    personCentres: { threshold: config.personThreshold, reach: config.threshold, regroup: config.groupThreshold },
    ...(config.sureAtScale ? { sureAtScale: config.sureAtScale } : {}),
  };
}

export interface MatchedSelfie {
  matches: SelfieMatch[];
  /** Just beyond the sure threshold: shown apart, delivered only when the attendee picks them. */
  maybe: SelfieMatch[];
  embedding: Float32Array;
  tookMs: number;
}

/** Below this mean brightness (0–255) a picture without a usable face is "too dark", not "no face". */
export const TOO_DARK_LUMA = 45;
/** A kiosk shows at most this many photos; more would not fit a results screen anyway. */
export const MAX_MATCHES = 200;

export async function matchSelfie(deps: SelfieMatching, eventId: number, image: Buffer): Promise<MatchedSelfie> {
  const started = performance.now();
  try {
    await sharp(image).metadata();
  } catch {
    throw new SelfieError('not-an-image', 'The upload is not a readable image: send a JPEG, PNG or WebP photo.');
  }
  let analysed;
  try {
    analysed = await deps.analyseSelfie(image);
  } catch (err) {
    throw new SelfieError('not-an-image', `The image could not be read: ${(err as Error).message}`);
  }
  let face;
  try {
    face = dominantFace(analysed.faces);
  } catch (err) {
    if (!(err instanceof SelfieError)) throw err;
    if ((err.problem === 'no-face' || err.problem === 'blurred') && analysed.meanLuma < TOO_DARK_LUMA) {
      throw new SelfieError('too-dark', 'It is too dark to see your face: step into the light and try again.');
    }
    throw err;
  }
  return { ...searchEvent(deps, eventId, face.embedding, [], started), embedding: face.embedding };
}

/** The kiosk's tiers for an embedding in the event's index, timed from `started`. */
function searchEvent(
  deps: Omit<SelfieMatching, 'analyseSelfie'>,
  eventId: number,
  embedding: Float32Array,
  confirmedFaces: readonly Float32Array[],
  started: number,
): Omit<MatchedSelfie, 'embedding'> {
  const { sure: matches, maybe } = tieredPhotosForEmbedding(deps.repos, eventId, embedding, {
    ...deps.distances,
    limit: MAX_MATCHES,
    index: deps.faceIndexes.forEvent(eventId),
    confirmedFaces,
  });
  return { matches, maybe, tookMs: Math.round((performance.now() - started) * 10) / 10 };
}

/**
 * The same search again, once the attendee has said which "Maybe you?" faces are theirs: those
 * faces join the selfie's query expansion, so photos near them come back as sure ones (relevance
 * feedback). On bench:match's event (8,752 faces, held-out people; an attendee tapping in each
 * of her "Maybe you?" photos once) the sure photos she ends with went from recall 0.934 to 0.963
 * at precision 0.995 → 0.991 (match-2026-12-05T2356Z.json; docs/engineering/match-calibration.md).
 * A confirmed face only moves the averaged query: each searched on its own fell to precision 0.93.
 */
export function matchWithConfirmedFaces(
  deps: Omit<SelfieMatching, 'analyseSelfie'>,
  eventId: number,
  embedding: Float32Array,
  confirmedFaceIds: readonly number[],
): Omit<MatchedSelfie, 'embedding'> {
  const started = performance.now();
  const confirmedFaces = deps.repos.faceVectors.vectorsOf(confirmedFaceIds).filter((v): v is Float32Array => v !== undefined);
  return searchEvent(deps, eventId, embedding, confirmedFaces, started);
}
