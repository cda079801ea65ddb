// Runs once before any browser starts: Chromium reads its fake camera file at launch, so the
// selfie video must exist by then.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { writeFakeCamera } from '../fixtures/fake-camera.js';
import { CLI, FAKE_CAMERA_DIR, FAKE_CAMERA_VIDEO, SELFIE_FACE_JSON, SELFIE_SOURCE } from './support/paths.js';

export default async function globalSetup(): Promise<void> {
  if (!existsSync(new URL('../../dist/src/cli/index.js', import.meta.url))) {
    throw new Error(`${CLI} needs the compiled engine: run \`npm run build\` first (npm test does)`);
  }
  await mkdir(FAKE_CAMERA_DIR, { recursive: true });
  const camera = await writeFakeCamera(SELFIE_SOURCE, FAKE_CAMERA_DIR);
  if (camera.videoPath !== FAKE_CAMERA_VIDEO)
    throw new Error(`fake camera written to ${camera.videoPath}, config expects ${FAKE_CAMERA_VIDEO}`);
  await writeFile(SELFIE_FACE_JSON, JSON.stringify(camera.face));
}
