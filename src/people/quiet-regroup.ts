// When an event's people are grouped again by the re-cluster's rule without the organiser asking:
// once the cameras are quiet. Pure: takes what happened, says whether to re-cluster now.
//
// Why: persons built as photos land link faces one photo at a time and merge two persons on two
// links; the re-cluster's average distance weighs every pair. On bench:match's held-out event the
// people page went from BCubed F 0.951 to 0.962, and the kiosk's sure tier, which lets a person
// vouch for its photos through its centre, from 0.992 / 0.947 (precision / recall) to 0.995 /
// 0.951: live grouping had put two people the network confuses most into one person, and one of
// them got 18 of the other's photos (docs/engineering/match-calibration.md).

export interface QuietRegroupRules {
  /** No photo of the event has been ready for this long, and none is waiting: the cameras paused. */
  quietMs: number;
  /**
   * At least this long between two re-clusters of one event: at 100k faces one takes about 20 s of
   * CPU (11–12 s of links on ONNX Runtime's threads, 9 s of grouping on its own thread; bench:match
   * `match-2026-12-07T0420Z.json`), so at most about 3.5% of a core.
   */
  minGapMs: number;
  /** New faces needed since the last re-cluster: at least this many ... */
  minNewFaces: number;
  /** ... and this share of the event's faces (a few new faces barely move 100k). */
  newFacesShare: number;
}

export const QUIET_REGROUP_RULES: QuietRegroupRules = {
  quietMs: 60_000,
  minGapMs: 10 * 60_000,
  minNewFaces: 20,
  newFacesShare: 0.02,
};

export interface EventActivity {
  /** When a photo of the event was last made ready. */
  lastPhotoAt: number;
  /** Photos waiting to be processed (jobs queued or files not yet admitted). */
  waiting: number;
  /** Faces added since the last re-cluster (or since the engine started). */
  newFaces: number;
  /** Faces in the event now. */
  faces: number;
  /** When this rule last re-clustered the event; null: not since the engine started. */
  lastRegroupAt: number | null;
}

export function regroupDue(activity: EventActivity, now: number, rules: QuietRegroupRules = QUIET_REGROUP_RULES): boolean {
  if (activity.waiting > 0 || now - activity.lastPhotoAt < rules.quietMs) return false;
  if (activity.lastRegroupAt !== null && now - activity.lastRegroupAt < rules.minGapMs) return false;
  return activity.newFaces >= Math.max(rules.minNewFaces, rules.newFacesShare * activity.faces);
}
