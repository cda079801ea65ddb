// How a photo worker's thread yields to a kiosk's selfie.

/**
 * Nice value of a photo worker's thread, and of the ONNX Runtime threads it starts: a kiosk's
 * selfie (its own worker, nice 0) then takes the core it needs from the photos at once instead of
 * sharing it three ways; with no attendee waiting the photos still get every idle core. Only on
 * Linux, where priority is kept per thread: elsewhere the call would lower the whole process, the
 * selfie worker and the HTTP server with it. Null: leave the thread as it is.
 */
export function photoThreadNice(platform: NodeJS.Platform): number | null {
  return platform === 'linux' ? PHOTO_THREAD_NICE : null;
}
/** The CFS scheduler gives a nice-0 thread ~9x the share of a nice-10 one on a busy core. */
export const PHOTO_THREAD_NICE = 10;
