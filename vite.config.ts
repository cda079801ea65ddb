// Builds the React UI (renderer/) that the engine's local server serves at /console, /kiosk and /g/:token.
// `npx vite` runs it on its own against a running `shutterfind serve` (SHUTTERFIND_URL, default port 7431).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const engineUrl = process.env.SHUTTERFIND_URL ?? 'http://127.0.0.1:7431';

export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react()],
  resolve: {
    alias: { '@api': new URL('./src/server/api-types.ts', import.meta.url).pathname },
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
