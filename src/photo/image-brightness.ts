// How bright a picture is, read from pixels already decoded for the face engine.

/**
 * Mean luma (0–255) of RGB pixels: Rec. 601 weights on the stored (gamma-encoded) values, the
 * brightness a person sees. Used to tell a selfie that is "too dark" from one with "no face".
 *
 * Before, the selfie was decoded a second time for `sharp(...).greyscale().stats()`, which reads
 * the input image and ignores the pipeline before it: it gave the red channel's mean, not the
 * luma (so a dim picture in warm light read bright), and cost ~22 ms of a 72 ms selfie analysis
 * on one core (640 px selfie, AMD EPYC), more than the descriptor network's two runs. This reads
 * at most ~65k pixels spread evenly over the picture: under a millisecond. The kiosk page reads
 * its camera frames with the same weights (renderer/kiosk/autoCapture.ts) before it sends one.
 */
export function meanLuma(pixels: Uint8Array, channels = 3, maxSamples = 65_536): number {
  const count = Math.floor(pixels.length / channels);
  if (count === 0 || channels < 3) return 0;
  const step = Math.max(1, Math.floor(count / maxSamples));
  let sum = 0;
  let samples = 0;
  for (let p = 0; p < count; p += step) {
    const i = p * channels;
    sum += 0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!;
    samples++;
  }
  return sum / samples;
}
