// Bursts: frames shot in one run grouped, the best frame picked, and results collapsed to it.
export {
  groupBursts,
  chooseBestFrame,
  eyeAspectRatio,
  imageSharpness,
  needsImageSharpness,
  multiFrameBursts,
  cameraKeyOf,
  DEFAULT_BURST_RULES,
  type BurstFrame,
  type BurstGroup,
  type BurstRules,
} from './burst-grouping.js';
export { regroupEventBursts, type RegroupSummary } from './burst-regrouping.js';
export { collapseBursts } from './burst-collapse.js';
export { createEventBursts, BURST_REGROUP_DELAY_MS, type EventBursts, type EventBurstsDeps } from './event-bursts.js';
