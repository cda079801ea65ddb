// The kiosk's use cases: an attendee's session, their selfie matched, take-home deliveries, new
// photos for opted-in attendees, and the privacy retention sweep.
export { createKioskSessions, type KioskSessions } from './kiosk-sessions.js';
export { KioskError, type KioskProblem } from './kiosk-error.js';
export { matchSelfie, TOO_DARK_LUMA, MAX_MATCHES, type MatchedSelfie, type SelfieMatching } from './selfie-matching.js';
