import { describe, expect, it } from 'vitest';
import { dominantFace, SelfieError } from '../../../src/search/index.js';
import type { AnalysedFace } from '../../../src/vision/index.js';

function face(width: number, sharpness = 0.6): AnalysedFace {
  return {
    box: { x: 0, y: 0, width, height: width * 1.2 },
    landmarks: [],
    score: 0.99,
    quality: { sizePx: width, sharpness, frontal: 1, overall: 0.8 },
    embedding: new Float32Array(128),
    alignedCrop: new Uint8Array(0),
  };
}

const problem = (faces: AnalysedFace[]) => {
  try {
    dominantFace(faces);
    return 'accepted';
  } catch (err) {
    return err instanceof SelfieError ? err.problem : String(err);
  }
};

describe('dominantFace', () => {
  it('takes the one clear face, even with a small face far in the background', () => {
    const main = face(300);
    expect(dominantFace([face(40), main])).toBe(main);
  });
  it('asks for a selfie with a face, with only one person, close enough, and still', () => {
    expect(problem([])).toBe('no-face');
    expect(problem([face(300), face(250)])).toBe('several-faces');
    expect(problem([face(40)])).toBe('too-small');
    expect(problem([face(300, 0.05)])).toBe('blurred');
  });
});
