// The re-cluster's link graph on ONNX Runtime (every pair compared in float32 blocks) against the
// plain double-precision loop it replaces, and a re-cluster while the engine keeps adding faces.
import { describe, expect, it } from 'vitest';
import { clusterAll, clusterGraph, linkGraph, type ClusterFace } from '../../../src/people/face-clustering.js';
import { linkGraphOnnx, TooManyLinksError } from '../../../src/vision/index.js';
import { loadMatchThreshold } from '../../../src/vision/index.js';
import { gaussian, seededRandom, unitVector } from '../../support/random-vectors.js';

const LINK = loadMatchThreshold().clusterThreshold;
const DIM = 128;

/** People as descriptor centres, each photographed many times with a little noise, faces interleaved. */
function event(people: number, facesEach: number, noise: number, seed: number): ClusterFace[] {
  const rand = seededRandom(seed);
  const centres = Array.from({ length: people }, () => unitVector(Float32Array.from({ length: DIM }, () => gaussian(rand))));
  return Array.from({ length: people * facesEach }, (_, i) => ({
    faceId: i + 1,
    photoId: i + 1,
    embedding: unitVector(centres[i % people]!.map((x) => x + noise * gaussian(rand))),
  }));
}

describe('the link graph of a full re-cluster', () => {
  it('links exactly the pairs the plain loop links, in the same order, across block boundaries', async () => {
    // 1,500 faces are twelve blocks of rows; 300 people of 5 faces give thousands of links.
    const faces = event(300, 5, 0.004, 11);
    const expected = linkGraph(faces, LINK);
    const links = expected.reduce((n, l) => n + l.length, 0) / 2;
    expect(links).toBeGreaterThan(2000);
    expect(await linkGraphOnnx(faces, LINK, 1)).toEqual(expected);
  });

  it('links nothing across people, or when faces sit just beyond the threshold', async () => {
    const faces = event(400, 1, 0, 3);
    expect((await linkGraphOnnx(faces, LINK, 1)).flat()).toEqual([]);
    // Two faces at 1.01x the link distance apart: not linked.
    const angle = Math.acos(1 - LINK * 1.01);
    const a = new Float32Array(DIM);
    a[0] = 1;
    const b = new Float32Array(DIM);
    b[0] = Math.cos(angle);
    b[1] = Math.sin(angle);
    expect(
      await linkGraphOnnx(
        [
          { faceId: 1, photoId: 1, embedding: a },
          { faceId: 2, photoId: 2, embedding: b },
        ],
        LINK,
        1,
      ),
    ).toEqual([[], []]);
  });

  it('stops with a reason instead of filling memory once the pairs pass the limit it is given', async () => {
    const faces = event(300, 5, 0.004, 11);
    const links = linkGraph(faces, LINK).reduce((n, l) => n + l.length, 0) / 2;
    await expect(linkGraphOnnx(faces, LINK, 1, { maxLinks: links - 1 })).rejects.toThrow(TooManyLinksError);
    await expect(linkGraphOnnx(faces, LINK, 1, { maxLinks: links - 1 })).rejects.toThrow(
      /more than [\d,]+ pairs of faces are within the link distance/,
    );
    expect((await linkGraphOnnx(faces, LINK, 1, { maxLinks: links })).flat()).toHaveLength(2 * links);
  });

  it('gives the same people as clusterAll', async () => {
    const faces = event(60, 8, 0.006, 5);
    const sorted = [...faces].sort((x, y) => x.faceId - y.faceId);
    expect(clusterGraph(sorted, await linkGraphOnnx(sorted, LINK, 1))).toEqual(clusterAll(faces, LINK));
  });
});
