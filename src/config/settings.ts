// Settings for one installation: defaults, overridable by <data-dir>/settings.json.
// Every number here is a tuning decision with a reason; keep the reason next to it.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const ingestSchema = z.object({
  /** How often a file that is still arriving is re-examined. */
  probeIntervalMs: z.number().int().min(20).max(10_000).default(120),
  /**
   * A file must keep the same size for this long (with its end marker present) before it is
   * taken. Tethering tools flush in bursts; 100 ms covers USB tethering flush gaps seen in
   * EOS Utility and gphoto2 while keeping landed-to-ready well under a second.
   */
  stableForMs: z.number().int().min(0).max(60_000).default(100),
  /**
   * Formats without a checkable end marker (or a file whose marker never appears) must be
   * stable this long. Wi-Fi FTP transmitters can stall for several seconds mid-file.
   */
  unmarkedStableForMs: z.number().int().min(0).max(600_000).default(3_000),
  /** While watching, a file that stops growing without an end marker is failed as truncated after this. */
  truncatedAfterMs: z.number().int().min(1_000).max(3_600_000).default(60_000),
  /** In a one-shot `ingest` nobody is still writing, so give up much sooner. */
  oneShotTruncatedAfterMs: z.number().int().min(0).max(600_000).default(1_500),
  /** Files examined for readiness at once; bounds open handles during a 5,000-file burst. */
  maxConcurrentProbes: z.number().int().min(1).max(256).default(16),
  /** Files hashed at once. Hashing is I/O plus SHA-NI; two keep a disk busy without starving decode. */
  maxConcurrentHashes: z.number().int().min(1).max(16).default(2),
  /**
   * Read symbolic links in a hot folder that lead out of it. Off: camera tools never write links,
   * and a link to any readable file on the laptop (a document, a key, someone else's photos)
   * would become matchable at the kiosk and downloadable from attendee galleries. Links that
   * stay inside the folder are read either way.
   */
  followSymlinks: z.boolean().default(false),
  /**
   * A RAW that lands without its JPEG waits this long for it before it is processed on its own
   * (then a late JPEG means rendering the photo twice). Tether tools write the pair back to back:
   * EOS Utility and gphoto2 download the RAW and then the JPEG of one shot over the same cable,
   * under a second apart for a 30 MB CR3 on USB 3; 2 s also covers USB 2 and Wi-Fi FTP bursts.
   */
  rawPairWaitMs: z.number().int().min(0).max(60_000).default(2_000),
  /** After this many RAWs in a row got no JPEG, the camera shoots RAW only: stop waiting until a pair shows up. */
  unpairedRawsBeforeNoWait: z.number().int().min(1).max(1_000).default(5),
});

const pipelineSchema = z.object({
  /** Worker threads for decode/resize/ML. 0 = one per core, fewer where memory is short (defaultWorkerThreads). */
  workers: z.number().int().min(0).max(64).default(0),
  /** Tasks handed to the pool beyond its thread count, so a thread never idles between jobs. */
  prefetchPerWorker: z.number().int().min(0).max(8).default(1),
  /** A job not finished within its lease is taken back (a worker hung or the app was killed). */
  leaseMs: z.number().int().min(100).max(3_600_000).default(120_000),
  maxAttempts: z.number().int().min(1).max(20).default(4),
  retryBaseMs: z.number().int().min(10).max(600_000).default(2_000),
  retryMaxMs: z.number().int().min(100).max(86_400_000).default(300_000),
});

const mediaSchema = z.object({
  previewLongSide: z.number().int().min(256).max(8192).default(2048),
  previewQuality: z.number().int().min(30).max(100).default(82),
  thumbnailLongSide: z.number().int().min(64).max(1024).default(400),
  thumbnailQuality: z.number().int().min(30).max(100).default(75),
  /** sharp's default pixel limit (~268 MP) stops decompression bombs; 0 would disable it. */
  maxInputPixels: z.number().int().min(1_000_000).max(1_000_000_000).default(268_402_689),
});

const facesSchema = z.object({
  /** Off skips face detection and embedding entirely (previews only). */
  enabled: z.boolean().default(true),
  /** ONNX Runtime provider: auto tries the platform's GPU (CUDA, DirectML, CoreML) and falls back to CPU. */
  provider: z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml']).default('auto'),
  /**
   * Face detector arithmetic. auto: int8 on the CPU (1.5-1.9x faster on AVX2, 2.5x with VNNI; exact
   * on every CPU), float32 on GPUs.
   */
  detectorPrecision: z.enum(['auto', 'float32', 'int8']).default('auto'),
  /**
   * Smallest face to look for, in pixels of the 2048 px analysis image (~117 px in a 24 MP
   * original). Each halving adds a level of detector tiles (about 4x the detector work).
   */
  minFacePx: z.number().min(10).max(400).default(40),
  /**
   * Detector score below which a box is not a face. 0.5 is face-api's own default. The tiles that
   * look for small faces take boxes from 0.1 lower (TILED_SCORE_RELIEF in vision/detection-tiles.ts).
   */
  minScore: z.number().gt(0).lt(1).default(0.5),
  /**
   * adaptive: tile finer only when the coarser pass found no faces or small ones (portraits and
   * close group shots cost one detector pass); always: every level for every photo.
   */
  tiling: z.enum(['adaptive', 'always']).default('adaptive'),
  maxFacesPerPhoto: z.number().int().min(1).max(1000).default(200),
});

const serverSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(7420),
  /** Open the server to the venue network (kiosk tablets, attendees' phones); off = this laptop only. */
  lan: z.boolean().default(false),
  /**
   * With LAN on, kiosks use https on this port (browsers give a page the camera only on HTTPS or
   * localhost); 0 = the HTTP port + 1 (a free one when the HTTP port is 0).
   */
  kioskHttpsPort: z.number().int().min(0).max(65_535).default(0),
  /** Selfie searches one kiosk may make per minute; a person takes one every ~20 s at most. */
  kioskSearchesPerMinute: z.number().int().min(1).max(600).default(20),
  /** Largest selfie or search upload accepted, in bytes (a phone JPEG is 2–6 MB). */
  maxUploadBytes: z
    .number()
    .int()
    .min(100_000)
    .max(100_000_000)
    .default(10 * 1024 * 1024),
});

export const settingsSchema = z.object({
  ingest: ingestSchema.prefault({}),
  pipeline: pipelineSchema.prefault({}),
  media: mediaSchema.prefault({}),
  faces: facesSchema.prefault({}),
  server: serverSchema.prefault({}),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsInput = z.input<typeof settingsSchema>;

export function defaultSettings(): Settings {
  return settingsSchema.parse({});
}

/** Merges overrides (from a file, flags or a test) over the defaults, validating everything. */
export function resolveSettings(overrides: SettingsInput = {}): Settings {
  return settingsSchema.parse(overrides);
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Reads settings.json if it exists; a broken file is an error the photographer must see, not a silent default. */
export function loadSettingsFile(path: string): SettingsInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SettingsError(`Cannot read settings file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SettingsError(`Settings file ${path} is not valid JSON (${(err as Error).message}); fix or delete it.`);
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    throw new SettingsError(`Settings file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  }
  return json as SettingsInput;
}

/** Settings from the file with a caller's overrides on top, section by section. */
export function mergeSettings(fileSettings: SettingsInput, overrides: SettingsInput | undefined): Settings {
  if (!overrides) return resolveSettings(fileSettings);
  return resolveSettings({
    ingest: { ...fileSettings.ingest, ...overrides.ingest },
    pipeline: { ...fileSettings.pipeline, ...overrides.pipeline },
    media: { ...fileSettings.media, ...overrides.media },
    faces: { ...fileSettings.faces, ...overrides.faces },
    server: { ...fileSettings.server, ...overrides.server },
  });
}
