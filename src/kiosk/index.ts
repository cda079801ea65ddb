// The kiosk's use cases: paired tablets, an attendee's session (selfie, take-home), galleries,
// new photos for opted-in attendees and the privacy retention sweep.
export { createKioskSessions, SESSION_LIFETIME_MS, type KioskSessions, type KioskSessionsDeps, type TakenHome } from './kiosk-sessions.js';
export { createFollowerMatching, type AnchoredFollowers, type FollowerMatching, type NewPhotosForFollower } from './follower-matching.js';
export { createKioskDevices, PAIRING_CODE_LIFETIME_MS, type KioskDevices } from './kiosk-devices.js';
export { createGalleries, type Galleries, type OpenGallery } from './galleries.js';
export { startKioskUpkeep, SWEEP_EVERY_MS, type KioskUpkeep } from './kiosk-upkeep.js';
export { KioskError, type KioskProblem } from './kiosk-error.js';
export {
  createDoNotPublish,
  type AttendeeOptOut,
  type BlurFacesOf,
  type DoNotPublish,
  type HiddenFace,
  type OptOutRecord,
} from './do-not-publish.js';
export { createKioskRecords, maskContact, type DeliveryRecord, type KioskRecords } from './kiosk-records.js';
