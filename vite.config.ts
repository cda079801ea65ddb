// Builds the React UI (renderer/) that the engine's local server serves at /console, /kiosk and /g/:token.
// `npx vite` runs it on its own against a running `shutterfind serve` (SHUTTERFIND_URL, default port 7420).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const engineUrl = process.env.SHUTTERFIND_URL ?? 'http://127.0.0.1:7420';

/** The kiosk's in-page face detector models (renderer/kiosk/faceApiDetector.ts): manifests and weights. */
const FACE_MODEL_FILES = [
  'tiny_face_detector_model-weights_manifest.json',
  'tiny_face_detector_model.bin',
  'face_landmark_68_tiny_model-weights_manifest.json',
  'face_landmark_68_tiny_model.bin',
];

/** Copies the face models from node_modules into dist/renderer/assets/face-models/ (the server only serves /assets/). */
function faceModels(): Plugin {
  const require = createRequire(import.meta.url);
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  return {
    name: 'shutterfind-face-models',
    apply: 'build',
    generateBundle() {
      for (const name of FACE_MODEL_FILES) {
        this.emitFile({ type: 'asset', fileName: `assets/face-models/${name}`, source: readFileSync(join(modelDir, name)) });
      }
    },
  };
}

export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react(), faceModels()],
  resolve: {
    alias: { '@api': new URL('./src/api/api-types.ts', import.meta.url).pathname },
  },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': { target: engineUrl, changeOrigin: false },
      '/kiosk-api': { target: engineUrl, changeOrigin: false },
      '/gallery-api': { target: engineUrl, changeOrigin: false },
    },
  },
});
