// The labelled face set bench:match measures on (../shared/datasets/face-identities or --data):
// real, different photos of each person. Evaluation data only: read from outside the repository,
// never copied into the app. Identities are split into two disjoint halves by a hash of the name,
// so a threshold is chosen on one half and reported on people it has never seen.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Portrait {
  /** Path relative to the data set folder, e.g. `aaron_peirsol/1.jpg`. */
  path: string;
  file: string;
  identity: string;
}

export type Split = 'calibration' | 'held-out';

export interface FaceIdentities {
  dir: string;
  portraits: Portrait[];
  splitOf(identity: string): Split;
}

export const DEFAULT_DATA_DIRS = ['../shared/datasets/face-identities', '../../shared/datasets/face-identities'];

export function findFaceIdentities(repoRoot: string, given?: string): string {
  const candidates = given ? [given] : DEFAULT_DATA_DIRS.map((d) => resolve(repoRoot, d));
  const found = candidates.find((d) => existsSync(join(d, 'manifest.csv')));
  if (!found) {
    throw new Error(
      `No face-identities data set (manifest.csv) in ${candidates.join(' or ')}: pass --data DIR pointing at a folder of <identity>/<n>.jpg with a manifest.csv (path,identity,source).`,
    );
  }
  return found;
}

/** Calibration or held-out, from the identity's name alone: stable across runs and machines. */
export function splitOf(identity: string): Split {
  return createHash('sha1').update(identity).digest()[0]! % 2 === 0 ? 'calibration' : 'held-out';
}

export function loadFaceIdentities(dir: string): FaceIdentities {
  const lines = readFileSync(join(dir, 'manifest.csv'), 'utf8').trim().split(/\r?\n/);
  const header = lines.shift()!.split(',');
  const pathCol = header.indexOf('path');
  const idCol = header.indexOf('identity');
  if (pathCol < 0 || idCol < 0) throw new Error(`${join(dir, 'manifest.csv')} needs the columns path and identity.`);
  const portraits = lines.map((line) => {
    const cols = line.split(',');
    return { path: cols[pathCol]!, file: join(dir, cols[pathCol]!), identity: cols[idCol]! };
  });
  return { dir, portraits, splitOf };
}

export function byIdentity(portraits: readonly Portrait[]): Map<string, Portrait[]> {
  const out = new Map<string, Portrait[]>();
  for (const p of portraits) out.set(p.identity, [...(out.get(p.identity) ?? []), p]);
  return out;
}
