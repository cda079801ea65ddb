// The one face-match decision threshold, shared by search, verify, clustering and the kiosk.
// It is data (models/face/match-threshold.json) so it can be re-measured without a code change.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../config/index.js';

const thresholdSchema = z.object({
  model: z.string(),
  metric: z.literal('cosine'),
  threshold: z.number().gt(0).lt(2),
  method: z.string(),
});

export type MatchThreshold = z.infer<typeof thresholdSchema>;

let cached: MatchThreshold | undefined;

export function matchThresholdPath(): string {
  return join(packageRoot(), 'models', 'face', 'match-threshold.json');
}

/** Cosine distance at or below which two faces are taken to be the same person. */
export function loadMatchThreshold(): MatchThreshold {
  if (cached) return cached;
  const path = matchThresholdPath();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the face match threshold at ${path} (${(err as Error).message}); reinstall Shutterfind.`);
  }
  cached = thresholdSchema.parse(raw);
  return cached;
}
