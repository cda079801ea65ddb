// How the cloud merges what several laptops send: pure decisions, no database.
export { planBatch, type BatchPlan } from './batch-plan.js';
export { cosineDistance, decodeDescriptor, encodeDescriptor, meanDescriptor } from './descriptors.js';
export { LINK_SUGGESTION_DISTANCE, suggestPersonLinks, type LinkSuggestion, type PersonMean } from './person-link-suggestions.js';
export { mergePeople, type MergedPerson, type PersonFields } from './merged-people.js';
