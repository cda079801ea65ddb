// A selfie must show one person clearly: the rules that decide which face to search with, or
// why the attendee should try again. Pure: takes analysed faces, returns a face or a reason.
import type { AnalysedFace } from '../vision/index.js';

/** What is wrong with a selfie: the first four are the face rules here, the last two the picture itself. */
export type SelfieProblem = 'no-face' | 'several-faces' | 'too-small' | 'blurred' | 'not-an-image' | 'too-dark';

export class SelfieError extends Error {
  override name = 'SelfieError';
  constructor(
    readonly problem: SelfieProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface SelfieRules {
  /** A second face at least this fraction of the largest face's area makes the selfie ambiguous. */
  secondFaceAreaRatio: number;
  /** Face width in pixels below which the descriptor has too little to work with. */
  minFacePx: number;
  /** Sharpness (0..1, see face-quality) below which the selfie is too blurred. */
  minSharpness: number;
}

export const DEFAULT_SELFIE_RULES: SelfieRules = { secondFaceAreaRatio: 0.35, minFacePx: 64, minSharpness: 0.15 };

export function dominantFace<F extends Pick<AnalysedFace, 'box' | 'quality'>>(
  faces: readonly F[],
  rules: SelfieRules = DEFAULT_SELFIE_RULES,
): F {
  if (!faces.length) {
    throw new SelfieError('no-face', 'No face found in the selfie: face the camera in good light, with nothing covering the face.');
  }
  const area = (f: F) => f.box.width * f.box.height;
  const sorted = [...faces].sort((a, b) => area(b) - area(a));
  const main = sorted[0]!;
  const rival = sorted[1];
  if (rival && area(rival) >= rules.secondFaceAreaRatio * area(main)) {
    throw new SelfieError('several-faces', `${faces.length} faces in the picture: only one person should be in it.`);
  }
  if (main.quality.sizePx < rules.minFacePx) {
    throw new SelfieError(
      'too-small',
      `The face is too small (${Math.round(main.quality.sizePx)} px wide, at least ${rules.minFacePx} needed): come closer to the camera.`,
    );
  }
  if (main.quality.sharpness < rules.minSharpness) {
    throw new SelfieError('blurred', 'The selfie is too blurred to match: hold still and try again.');
  }
  return main;
}
