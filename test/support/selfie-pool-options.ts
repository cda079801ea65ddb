// The selfie pool's options as the engine builds them from default settings, on the CPU with one
// ONNX thread: for tests that run the real selfie worker without an engine around it.
export const SELFIE_POOL_OPTIONS = {
  provider: 'cpu',
  detectorPrecision: 'auto',
  threads: 1,
  detect: { minFacePx: 40, minScore: 0.5, tiling: 'adaptive', maxFaces: 200 },
} as const;
