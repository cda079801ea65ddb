// The sure tier's distance for an event of a given size. A selfie is compared with every face of
// the event, so its false sure matches grow with the number of faces: the distance calibrated at
// 1 false match in 100,000 pairs gives a selfie about 0.1 expected false faces at 10,000 faces, but
// 1 at 100,000. Past the event size it was calibrated for, the distance tightens by the distance
// one decade of false-match rate spans on the calibration pairs, so the expected false faces per
// selfie stay where they were; the photos it lets go move to "Maybe you?", where the attendee picks.
// Measured on bench:match's held-out event (8,948 faces, match-calibration.md), with the two
// networks' descriptors joined: the sure distance for 100,000 faces (0.3789) keeps 0.937 of her
// photos at precision 0.9996, which projects to 0.995 at 100,000 faces, where the calibrated
// distance projected 0.957 (the faceplugin network alone: 0.4432, 0.936 and 0.995, against 0.947).

/** How the sure distance tightens with the event's size (match-threshold.json's `sureAtScale`). */
export interface SureAtScale {
  /** Up to this many faces in the event, the calibrated distance as it is. */
  referenceFaces: number;
  /** Cosine distance one decade of false-match rate spans on the calibration pairs. */
  distancePerDecade: number;
}

/** The sure distance for an event of `faces` faces: the calibrated one, tightened past the reference size. */
export function sureDistanceFor(calibrated: number, scale: SureAtScale | undefined, faces: number): number {
  if (!scale || !(faces > scale.referenceFaces)) return calibrated;
  return calibrated - scale.distancePerDecade * Math.log10(faces / scale.referenceFaces);
}
