// The one calibrated face-match configuration, shared by search, verify, clustering and the kiosk:
// how descriptors are made and the distances that decide "same person". It is data
// (models/face/match-threshold.json) so it can be re-measured without a code change; a threshold
// holds only for the descriptors it was measured on, so both live in the one file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../config/index.js';
import { DESCRIPTOR_NETWORKS } from './descriptor-networks.js';
import { DLIB_MODEL_ID, FACEPLUGIN_MODEL_ID, JOINED_MODEL_ID } from './face-model-files.js';

const distance = z.number().gt(0).lt(2);

const thresholdSchema = z
  .object({
    model: z.string(),
    metric: z.literal('cosine'),
    descriptor: z
      .object({
        /** Which network makes descriptors; files calibrated before there was a choice mean dlib's. */
        network: z.enum(['dlib-resnet', 'faceplugin-512', 'faceplugin-512+mobilefacenet-192']).default('dlib-resnet'),
        alignment: z.enum(['mean-face', 'landmark-box', 'five-point', 'five-point-onet']),
        flipAverage: z.boolean(),
        /** File under models/face mapping the network's descriptor to the 128 numbers stored (descriptor-projection.ts). */
        projection: z.string().optional(),
      })
      .refine((d) => DESCRIPTOR_NETWORKS[d.network].alignments.includes(d.alignment), {
        message: 'the alignment is not one the network was trained on',
      }),
    /** Two photos, one decision (`verify`): the fewest false matches plus missed matches. */
    threshold: distance,
    /**
     * Sure match in an event's search (kiosk, `search --selfie`, re-match of opted-in attendees):
     * far stricter than `threshold`, because a selfie is compared with every face of the event and
     * false matches multiply with their number.
     */
    searchThreshold: distance,
    /** "Maybe you?": shown apart at the kiosk, delivered only when the attendee picks them. */
    maybeThreshold: distance,
    /** Two faces are linked when building persons live, as photos land, at or below this. */
    clusterThreshold: distance,
    /**
     * A re-cluster of a whole event makes two groups of faces one person while the mean distance
     * over all their pairs is at or below this (average linkage, vision/average-distance-grouping.ts).
     */
    groupThreshold: distance,
    /**
     * In a selfie search, a person (automatic ones too) vouches for its other photos when the
     * centre of its faces is within this of the selfie's expanded query (personsNearQuery).
     */
    personThreshold: distance,
    /**
     * Past `referenceFaces` faces in an event, the sure distance (`searchThreshold`) tightens by
     * `distancePerDecade` for each tenfold, so a selfie's expected false sure matches stay as at
     * the calibrated rate (search/sure-distance.ts). Absent in configurations from before it.
     */
    sureAtScale: z.object({ referenceFaces: z.number().int().positive(), distancePerDecade: z.number().gt(0).lt(1) }).optional(),
    method: z.string(),
    provenance: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((t) => t.maybeThreshold >= t.searchThreshold, { message: 'maybeThreshold must be at least searchThreshold' });

export type MatchThreshold = z.infer<typeof thresholdSchema>;

/**
 * The sure-match distance of each descriptor model Shutterfind shipped before, by model id: the
 * distance at which an event still described by one is compared in that model's own space
 * (kiosk opt-outs are carried over to persons before its faces are described again). dlib's
 * port: 0.0465 once calibrated on real people, looser than the first release's 0.041, so more is
 * hidden rather than less. The faceplugin network alone (projected to 128): 0.5129, its calibrated
 * sure distance until the second network joined it (2026-12-07). Both networks joined on the 68
 * landmarks' five points: 0.4556, until O-Net placed the points.
 */
export const EARLIER_SEARCH_THRESHOLDS: Readonly<Record<string, number>> = {
  [DLIB_MODEL_ID]: 0.0465,
  [FACEPLUGIN_MODEL_ID]: 0.5129,
  [JOINED_MODEL_ID]: 0.4556,
};

let cached: MatchThreshold | undefined;

/**
 * The shipped configuration, or the file named by SHUTTERFIND_MATCH_CONFIG: bench:match measures a
 * candidate (or the previous release's) configuration through the app's own code paths, workers
 * included, without editing the shipped file.
 */
export function matchThresholdPath(): string {
  return process.env.SHUTTERFIND_MATCH_CONFIG || join(packageRoot(), 'models', 'face', 'match-threshold.json');
}

/** The calibrated configuration: cosine distance at or below `threshold` is the same person. */
export function loadMatchThreshold(): MatchThreshold {
  if (cached) return cached;
  const path = matchThresholdPath();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the face match configuration at ${path} (${(err as Error).message}); reinstall Shutterfind.`, {
      cause: err,
    });
  }
  const parsed = thresholdSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `The face match configuration at ${path} is not valid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}); reinstall Shutterfind.`,
    );
  cached = parsed.data;
  return cached;
}
