// Where the browser tests find their inputs and put their outputs.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(REPO_ROOT, 'bin', 'shutterfind.js');
/** Real group photos shipped with face-api: three to five people each, 1920 px wide. */
export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((n) =>
  join(REPO_ROOT, 'node_modules', '@vladmandic', 'face-api', 'demo', `sample${n}.jpg`),
);
/**
 * The photo the kiosk's attendee is cut from (sample6's rightmost person). Measured with
 * `shutterfind faces --embeddings`: her nearest face in the other five samples is 0.105 away
 * (cosine), far beyond the 0.041 match threshold, so she is in this photo only.
 */
export const SELFIE_SOURCE = SAMPLE_PHOTOS[5]!;
/** Generated once per run by global-setup.ts, before any browser starts. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'e2e', '.artifacts');
export const FAKE_CAMERA_DIR = join(ARTIFACTS_DIR, 'fake-camera');
export const FAKE_CAMERA_VIDEO = join(FAKE_CAMERA_DIR, 'selfie.y4m');
export const SELFIE_JPEG = join(FAKE_CAMERA_DIR, 'selfie.jpg');
/** Committed: the product's pictures, some copied into resources/ for the README. */
export const SCREENSHOTS_DIR = join(REPO_ROOT, 'test', 'e2e', 'screenshots');
export const screenshotPath = (name: string) => join(SCREENSHOTS_DIR, `${name}.png`);
/** The selfie's face box in SELFIE_SOURCE, as the engine found it (written by global-setup.ts). */
export const SELFIE_FACE_JSON = join(FAKE_CAMERA_DIR, 'face.json');

/**
 * The kiosk tablet's name for the laptop in the LAN test: its own mDNS name, one of the names the
 * server answers to with --lan (any other name is refused: DNS rebinding). Chromium maps it to 127.0.0.1.
 */
export const LAN_KIOSK_HOST = `${hostname().toLowerCase()}.local`;
