// The face engine: detect (with tiling), landmarks, alignment, 128-d embeddings, quality. Runs
// wherever ONNX Runtime runs: inside photo workers for ingest, in-process for the CLI and selfies.
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import {
  DETECTOR_INPUT,
  detectorPassSize,
  LEVEL_MAX_FACE,
  levelMinScore,
  needsFinerLevel,
  planDetectionLevels,
  touchesInnerEdge,
  type Tile,
} from './detection-tiles.js';
import { anchorsFor, decodeBox, scoresFrom, type Anchors } from './ssd-anchors.js';
import { sessionOptions } from './onnx-sessions.js';
import { chooseProvider, preferredProviders, type ProviderChoice, type ProviderName, type ProviderSetting } from './execution-providers.js';
import {
  alignChip,
  alignmentBounds,
  mirrorChip,
  squareAround,
  warpAligned,
  type Alignment,
  type ChipAlignment,
  type LandmarkAlignment,
  type PlacedImage,
  type RgbImage,
} from './face-alignment.js';
import { nonMaxSuppression, type Box, type Point, type ScoredBox } from './face-geometry.js';
import { descriptorNetworkPath, ensureFaceModels, faceModelDir, type FaceModelPaths } from './face-model-files.js';
import { DESCRIPTOR_NETWORKS, DESCRIPTOR_PARTS, type DescriptorNetwork, type DescriptorPartSpec } from './descriptor-networks.js';
import { loadDescriptorProjection, project, type DescriptorProjection } from './descriptor-projection.js';
import { DESCRIPTOR_INPUT_SIZE, LANDMARK_INPUT_SIZE, ONET_INPUT_SIZE } from './face-networks/input-sizes.js';
import { firstOnetSquare, ONET_LOOKS, onetAlignment, onetCrop, onetInput, readOnetLook, type OnetLook } from './onet-points.js';
import type { DetectorPrecision } from './face-networks/ssd-mobilenet-v1.js';
import { faceQuality, laplacianVariance, type FaceQuality } from './face-quality.js';
import { loadMatchThreshold } from './match-threshold.js';

export interface FaceEngineOptions {
  provider: ProviderSetting;
  /** ONNX Runtime threads inside this engine (see intraOpThreads). */
  threads: number;
  models?: FaceModelPaths;
  /**
   * 'auto' runs the int8 detector on the CPU provider (its weights are sized so that every CPU
   * computes it exactly, see layers.ts) and the float one on GPUs.
   */
  detectorPrecision?: DetectorPrecisionSetting;
  /** How descriptors are made; by default the calibrated configuration (models/face/match-threshold.json). */
  descriptor?: DescriptorSettings;
}

/** How a face becomes its 128-d descriptor. Part of the calibrated match configuration: a threshold holds only for the descriptors it was measured on. */
export interface DescriptorSettings {
  network: DescriptorNetwork;
  alignment: ChipAlignment;
  /**
   * Describe the mirrored chip too and average the two (test-time augmentation): one more
   * descriptor run per face (~5 ms); raised genuine pairs accepted at 0.1% false matches from
   * 93.4% to 94.9% on held-out identities (bench:match).
   */
  flipAverage: boolean;
  /** File under models/face mapping the network's output to the 128 numbers stored; none: the output as it is. */
  projection?: string | undefined;
}

/** The descriptors of Shutterfind up to 0.1: face-api's landmark-box chip, one view. */
export const LEGACY_DESCRIPTOR: DescriptorSettings = { network: 'dlib-resnet', alignment: 'landmark-box', flipAverage: false };

/** dlib's descriptors as calibrated on real people, before the faceplugin network: dlib's own chip, averaged with the mirrored chip's. */
export const DLIB_CALIBRATED_DESCRIPTOR: DescriptorSettings = { network: 'dlib-resnet', alignment: 'mean-face', flipAverage: true };

/** The faceplugin network alone, projected to 128 numbers: the shipped descriptor before MobileFaceNet joined it (2026-12-07). */
export const FACEPLUGIN_DESCRIPTOR: DescriptorSettings = {
  network: 'faceplugin-512',
  alignment: 'five-point',
  flipAverage: true,
  projection: 'descriptor-projection.json',
};

/** Both networks joined on chips aligned on the 68 landmarks' five points: the shipped descriptor before O-Net placed the points. */
export const JOINED_DESCRIPTOR: DescriptorSettings = {
  network: 'faceplugin-512+mobilefacenet-192',
  alignment: 'five-point',
  flipAverage: true,
  projection: 'joined-descriptor-projection.json',
};

export interface DetectOptions {
  /** Smallest face to look for, in pixels of the image passed in. */
  minFacePx: number;
  minScore: number;
  tiling: 'adaptive' | 'always';
  maxFaces: number;
  /** The image already resized for the first, whole-photo pass, when the caller has it. */
  overview?: RgbImage;
  /** Look again, zoomed out, when no pass found a face (default on; see zoomedOutPass). */
  zoomOutWhenEmpty?: boolean;
}

export type DetectorPrecisionSetting = 'auto' | DetectorPrecision;

export function chooseDetectorPrecision(setting: DetectorPrecisionSetting, provider: ProviderName): DetectorPrecision {
  if (setting !== 'auto') return setting;
  return provider === 'cpu' ? 'int8' : 'float32';
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = { minFacePx: 40, minScore: 0.5, tiling: 'adaptive', maxFaces: 200 };

export interface AnalysedFace {
  /** Box, landmarks and size in the coordinates of the image passed in. */
  box: Box;
  landmarks: Point[];
  score: number;
  quality: FaceQuality;
  /** L2-normalised 128-d descriptor. */
  embedding: Float32Array;
  /** The aligned 150 px RGB crop the descriptor saw (for face thumbnails). */
  alignedCrop: Uint8Array;
}

/** Supplies sharper pixels for small faces: a region of the original, mapped into image coordinates. */
export type RegionLoader = (region: Box) => Promise<PlacedImage | null>;

export interface AnalyseOptions extends DetectOptions {
  /** Original pixels per image pixel (≥ 1); small faces are cropped from the original when > 1. */
  originalScale: number;
  loadRegion?: RegionLoader;
}

/**
 * Faces per landmark or descriptor run. ONNX Runtime's arena keeps the buffers of the largest run
 * for the session's life: one run over a 147-face crowd shot took a worker from 490 MB to over
 * 1 GB. Per face, batches of 8 cost the same as one batch of all (measured: 4.6 ms per face at
 * batch 1 and 4.8 at batch 4).
 */
const FACE_BATCH = 8;

async function inBatches<T, R>(items: readonly T[], size: number, run: (batch: readonly T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await run(items.slice(i, i + size))));
  return out;
}

/** A face narrower than this (in the pixels it is cropped from) is upsampled for the descriptor. */
const DESCRIPTOR_DETAIL_PX = DESCRIPTOR_INPUT_SIZE;

function toNchw(images: readonly Uint8Array[], size: number, scale = 1, offset = 0): Float32Array {
  const plane = size * size;
  const out = new Float32Array(images.length * 3 * plane);
  images.forEach((img, b) => {
    const base = b * 3 * plane;
    for (let i = 0; i < plane; i++) {
      out[base + i] = img[i * 3]! * scale + offset;
      out[base + plane + i] = img[i * 3 + 1]! * scale + offset;
      out[base + 2 * plane + i] = img[i * 3 + 2]! * scale + offset;
    }
  });
  return out;
}

export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  return v.map((x) => x / norm);
}

function addVectors(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((x, i) => x + b[i]!);
}

/** Unit vectors end to end, each scaled by `weight` (1/sqrt(n) keeps the result a unit vector). */
function joinDescriptors(parts: readonly Float32Array[], weight: number): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) out[at + i] = p[i]! * weight;
    at += p.length;
  }
  return out;
}

export class FaceEngine {
  private constructor(
    private readonly detector: ort.InferenceSession,
    private readonly landmarker: ort.InferenceSession,
    /** One session per network of the descriptor (DESCRIPTOR_NETWORKS[network].parts), in order. */
    private readonly describers: readonly ort.InferenceSession[],
    readonly provider: ProviderChoice,
    readonly detectorPrecision: DetectorPrecision,
    readonly descriptor: DescriptorSettings,
    private readonly projection: DescriptorProjection | null,
    /** MTCNN's O-Net, for `five-point-onet` chips; null for the other alignments. */
    private readonly pointer: ort.InferenceSession | null,
  ) {
    this.parts = DESCRIPTOR_NETWORKS[descriptor.network].parts.map((p) => DESCRIPTOR_PARTS[p]);
  }

  private readonly parts: readonly DescriptorPartSpec[];

  /** Detector input buffers by pass area, and anchors by pass size: both repeat photo after photo. */
  private readonly inputBuffers = new Map<number, Float32Array>();
  private readonly anchorCache = new Map<string, Anchors>();

  static async open(options: FaceEngineOptions): Promise<FaceEngine> {
    const models = options.models ?? (await ensureFaceModels());
    const descriptor = options.descriptor ?? loadMatchThreshold().descriptor;
    const describerPaths = DESCRIPTOR_NETWORKS[descriptor.network].parts.map((p) => descriptorNetworkPath(p, models));
    const projection = descriptor.projection ? loadDescriptorProjection(faceModelDir(), descriptor.projection) : null;
    let detectorPrecision: DetectorPrecision = 'float32';
    const open = async (provider: ProviderName) => {
      const session = sessionOptions(provider, options.threads);
      detectorPrecision = chooseDetectorPrecision(options.detectorPrecision ?? 'auto', provider);
      return Promise.all([
        ort.InferenceSession.create(detectorPrecision === 'int8' ? models.detectorInt8 : models.detector, session),
        ort.InferenceSession.create(models.landmarks, session),
        Promise.all(describerPaths.map((path) => ort.InferenceSession.create(path, session))),
        descriptor.alignment === 'five-point-onet' ? ort.InferenceSession.create(models.onet, session) : null,
      ]);
    };
    const { value, choice } = await chooseProvider(preferredProviders(options.provider), open);
    return new FaceEngine(value[0], value[1], value[2], choice, detectorPrecision, descriptor, projection, value[3]);
  }

  async release(): Promise<void> {
    await Promise.all([
      this.detector.release(),
      this.landmarker.release(),
      ...this.describers.map((d) => d.release()),
      this.pointer?.release(),
    ]);
  }

  /**
   * A tile's pixels at its level's scale. The whole-photo pass uses the caller's overview when it
   * has one (made while rendering, so no extra resize here). Tiles of a tiled level are cut and
   * resized one by one: resizing the whole level once and cutting from it shifted rows by a
   * fraction of a pixel and lost 45 px faces.
   */
  private async tilePixels(image: RgbImage, tile: Tile, overview?: RgbImage): Promise<RgbImage> {
    const w = Math.max(1, Math.round(tile.width * tile.scale));
    const h = Math.max(1, Math.round(tile.height * tile.scale));
    const source = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
    if (tile.level === 0) {
      // The whole photo keeps its aspect (one scale for both axes), exactly as the render's overview.
      if (overview && Math.abs(overview.width - w) <= 1 && Math.abs(overview.height - h) <= 1) return overview;
      const out = await source
        .resize({ width: DETECTOR_INPUT, height: DETECTOR_INPUT, fit: 'inside' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return {
        data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
        width: out.info.width,
        height: out.info.height,
      };
    }
    const data = await source
      .extract({ left: Math.round(tile.x), top: Math.round(tile.y), width: Math.round(tile.width), height: Math.round(tile.height) })
      .resize(w, h, { fit: 'fill' })
      .raw()
      .toBuffer();
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: w, height: h };
  }

  /**
   * A tile as the detector's NCHW float input of passHeight x passWidth; face-api pads the
   * bottom and right with black. The buffer is reused for passes of the same size.
   */
  private detectorInput(tile: RgbImage, passHeight: number, passWidth: number): Float32Array {
    const plane = passHeight * passWidth;
    let into = this.inputBuffers.get(plane);
    if (!into) {
      into = new Float32Array(3 * plane);
      this.inputBuffers.set(plane, into);
    }
    into.fill(0);
    const src = tile.data;
    const w = Math.min(passWidth, tile.width);
    const h = Math.min(passHeight, tile.height);
    for (let y = 0; y < h; y++) {
      let i = y * tile.width * 3;
      let o = y * passWidth;
      for (let x = 0; x < w; x++, i += 3, o++) {
        into[o] = src[i]!;
        into[plane + o] = src[i + 1]!;
        into[2 * plane + o] = src[i + 2]!;
      }
    }
    return into;
  }

  private anchors(passHeight: number, passWidth: number): Anchors {
    const key = `${passHeight}x${passWidth}`;
    let anchors = this.anchorCache.get(key);
    if (!anchors) {
      anchors = anchorsFor(passHeight, passWidth);
      this.anchorCache.set(key, anchors);
    }
    return anchors;
  }

  /** Face boxes in image coordinates, coarse level first, finer levels when the scene calls for them. */
  async detect(image: RgbImage, options: DetectOptions = DEFAULT_DETECT_OPTIONS): Promise<ScoredBox[]> {
    const found: ScoredBox[] = [];
    for (const level of planDetectionLevels(image.width, image.height, options.minFacePx)) {
      if (
        level.level > 0 &&
        !needsFinerLevel(
          nonMaxSuppression(found).map((b) => b.width),
          level,
          options.tiling,
        )
      )
        break;
      // One tile per run: batching was no faster on the CPU, and ONNX Runtime's arena then kept
      // the buffers of the largest batch (~650 MB per worker instead of ~370 MB).
      for (const tile of level.tiles) {
        const pixels = await this.tilePixels(image, tile, options.overview);
        let run = await this.detectorPass(pixels, detectorPassSize(level, pixels));
        // A large face in a whole-photo pass cut to the photo's aspect: see paddingSensitiveFrom.
        // Close-ups pay for a second pass, group shots (the usual event photo) do not.
        const square = run.pass.height === DETECTOR_INPUT && run.pass.width === DETECTOR_INPUT;
        if (level.level === 0 && !square && scoresFrom(run.scores, run.pass.anchors.paddingSensitiveFrom, options.minScore))
          run = await this.detectorPass(pixels, { height: DETECTOR_INPUT, width: DETECTOR_INPUT });
        found.push(
          ...this.boxesOf(tile, run.pass, run.encodings, run.scores, level.level > 0, image, levelMinScore(level, options.minScore)),
        );
      }
    }
    if (!found.length && options.zoomOutWhenEmpty !== false) found.push(...(await this.zoomedOutPass(image, options.minScore)));
    return nonMaxSuppression(found).slice(0, options.maxFaces);
  }

  /**
   * SSD MobileNetV1 misses faces that fill much of its input: a 250 px portrait scaled up to the
   * 512 px pass puts a ~210 px face in it, and 111 of 2,808 clear, centred portraits of real
   * people gave no face at all. The same images at their own size, padded into the pass (faces
   * ~100 px), gave a face in 104 of those 111. So when no pass found any face, the image is
   * looked at once more, at most half the pass wide and never enlarged: one more detector run
   * (~25 ms), only for images that had no face anyway (close-up selfies, portraits).
   */
  private async zoomedOutPass(image: RgbImage, minScore: number): Promise<ScoredBox[]> {
    const side = DETECTOR_INPUT / 2;
    const out = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixels = {
      data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
      width: out.info.width,
      height: out.info.height,
    };
    const tile: Tile = { x: 0, y: 0, width: image.width, height: image.height, scale: pixels.width / image.width, level: 0 };
    const run = await this.detectorPass(pixels, { height: DETECTOR_INPUT, width: DETECTOR_INPUT });
    return this.boxesOf(tile, run.pass, run.encodings, run.scores, false, image, minScore);
  }

  /** One detector run on a tile's pixels padded to `size`, with the anchors for that size. */
  private async detectorPass(pixels: RgbImage, size: { height: number; width: number }) {
    const input = new ort.Tensor('float32', this.detectorInput(pixels, size.height, size.width), [1, 3, size.height, size.width]);
    const out = await this.detector.run({ image: input });
    const pass = { ...size, anchors: this.anchors(size.height, size.width) };
    return { pass, encodings: out.encodings!.data as Float32Array, scores: out.scores!.data as Float32Array };
  }

  /** Detector output of one pass as boxes in image coordinates. */
  private boxesOf(
    tile: Tile,
    pass: { height: number; width: number; anchors: Anchors },
    encodings: Float32Array,
    scores: Float32Array,
    tiled: boolean,
    image: RgbImage,
    minScore: number,
  ): ScoredBox[] {
    if (scores.length !== pass.anchors.count)
      throw new Error(`Face detector gave ${scores.length} scores for ${pass.anchors.count} anchors (${pass.width}x${pass.height})`);
    const found: ScoredBox[] = [];
    for (let a = 0; a < scores.length; a++) {
      const score = scores[a]!;
      if (score < minScore) continue;
      const [top, left, bottom, right] = decodeBox(encodings, pass.anchors, a);
      const y0 = Math.max(0, top) / tile.scale + tile.y;
      const x0 = Math.max(0, left) / tile.scale + tile.x;
      const y1 = Math.min(pass.height, bottom) / tile.scale + tile.y;
      const x1 = Math.min(pass.width, right) / tile.scale + tile.x;
      const box = { x: x0, y: y0, width: Math.min(x1, image.width) - x0, height: Math.min(y1, image.height) - y0, score };
      if (box.width <= 1 || box.height <= 1) continue;
      // Faces larger than a tile's overlap may be cut by every tile of a finer level; they are
      // the coarser level's job, and partial boxes of them only add duplicates.
      if (
        tiled &&
        (Math.max(box.width, box.height) * tile.scale > LEVEL_MAX_FACE || touchesInnerEdge(box, tile, image.width, image.height))
      )
        continue;
      found.push(box);
    }
    return found;
  }

  /** 68 landmarks per box, in image coordinates. */
  async landmarks(source: (box: Box) => PlacedImage, faces: readonly Box[]): Promise<Point[][]> {
    return inBatches(faces, FACE_BATCH, async (batch) => {
      const crops = batch.map((f) => squareAround(f));
      const inputs = crops.map((c, i) => warpAligned(source(batch[i]!), c, LANDMARK_INPUT_SIZE));
      const tensor = new ort.Tensor('float32', toNchw(inputs, LANDMARK_INPUT_SIZE), [
        inputs.length,
        3,
        LANDMARK_INPUT_SIZE,
        LANDMARK_INPUT_SIZE,
      ]);
      const out = (await this.landmarker.run({ face: tensor })).landmarks!.data as Float32Array;
      return crops.map((c, f) => {
        const x0 = c.centre.x - c.side / 2;
        const y0 = c.centre.y - c.side / 2;
        return Array.from({ length: 68 }, (_, i) => ({
          x: x0 + out[f * 136 + i * 2]! * c.side,
          y: y0 + out[f * 136 + i * 2 + 1]! * c.side,
        }));
      });
    });
  }

  /**
   * Each face's 150 px chip (face thumbnails and the sharpness measure: dlib's own chip, or dlib's
   * mean face when other networks describe) and its L2-normalised descriptor: each network's
   * descriptor of its own chip, averaged with the mirrored chip's when configured; several
   * networks' descriptors joined, each L2-normalised and weighted 1/sqrt(n) so that the cosine of
   * two joined descriptors is the mean of the networks' cosines; then projected to 128 numbers
   * when configured.
   */
  async describe(
    sources: readonly PlacedImage[],
    landmarks: readonly (readonly Point[])[],
  ): Promise<{ crops: Uint8Array[]; embeddings: Float32Array[] }> {
    // dlib's network reads the 150 px chip itself (its alignment is validated with the configuration).
    const ownChip = this.parts.length === 1 && this.parts[0]!.inputSize === DESCRIPTOR_INPUT_SIZE;
    const how = this.descriptor.alignment;
    const cropAlignment: LandmarkAlignment = ownChip && how !== 'five-point-onet' ? how : 'mean-face';
    const crops = landmarks.map((l, i) => warpAligned(sources[i]!, alignChip(l, cropAlignment), DESCRIPTOR_INPUT_SIZE));
    const alignments = ownChip
      ? []
      : how === 'five-point-onet'
        ? await this.onetAlignments(sources, landmarks)
        : landmarks.map((l) => alignChip(l, how));
    // Every network of a joined descriptor reads the same alignment; chips are made once per size.
    const chipsBySize = new Map<number, Uint8Array[]>();
    const chipsOf = (size: number): Uint8Array[] => {
      if (ownChip) return crops;
      let chips = chipsBySize.get(size);
      if (!chips) {
        chips = alignments.map((a, i) => warpAligned(sources[i]!, a, size));
        chipsBySize.set(size, chips);
      }
      return chips;
    };
    const byPart: Float32Array[][] = [];
    for (const [k, part] of this.parts.entries()) byPart.push(await this.describeWith(this.describers[k]!, part, chipsOf(part.inputSize)));
    const weight = 1 / Math.sqrt(this.parts.length);
    const embeddings = landmarks.map((_, i) => {
      const joined =
        byPart.length === 1
          ? byPart[0]![i]!
          : joinDescriptors(
              byPart.map((d) => d[i]!),
              weight,
            );
      return this.projection ? l2Normalise(project(this.projection, joined)) : joined;
    });
    return { crops, embeddings };
  }

  /**
   * Each face's chip alignment on the five points O-Net places (onet-points.ts): ONET_LOOKS looks per face, about 5 CPU-ms
   * per face with their crops (one thread, the sample photos' 22 faces), on top of ~45 for the two descriptor networks.
   */
  private async onetAlignments(sources: readonly PlacedImage[], landmarks: readonly (readonly Point[])[]): Promise<Alignment[]> {
    const pointer = this.pointer;
    if (!pointer) throw new Error('The face engine was opened without O-Net, which five-point-onet chips need.');
    const faces = landmarks.map((_, i) => i);
    let squares = landmarks.map(firstOnetSquare);
    let looks: OnetLook[] = [];
    for (let look = 0; look < ONET_LOOKS; look++) {
      looks = await inBatches(faces, FACE_BATCH, async (batch) => {
        const input = onetInput(batch.map((i) => onetCrop(sources[i]!, squares[i]!)));
        const out = await pointer.run({ face: new ort.Tensor('float32', input, [batch.length, 3, ONET_INPUT_SIZE, ONET_INPUT_SIZE]) });
        const [score, box, points] = [out.score!.data, out.box!.data, out.points!.data] as Float32Array[];
        return batch.map((i, b) => readOnetLook(squares[i]!, b, score!, box!, points!));
      });
      squares = looks.map((l) => l.next);
    }
    return looks.map((l, i) => onetAlignment(l, landmarks[i]!));
  }

  /** One network's L2-normalised descriptor of each chip (averaged with the mirrored chip's when configured). */
  private async describeWith(
    session: ort.InferenceSession,
    part: DescriptorPartSpec,
    chips: readonly Uint8Array[],
  ): Promise<Float32Array[]> {
    const size = part.inputSize;
    const flip = this.descriptor.flipAverage;
    // With the mirrored chips a run holds twice the images: half the faces keep the arena's peak as it was.
    const perRun = Math.min(part.maxBatch, flip ? FACE_BATCH / 2 : FACE_BATCH);
    const views = async (images: readonly Uint8Array[]): Promise<Float32Array[]> => {
      const tensor = new ort.Tensor('float32', toNchw(images, size, part.scale, part.offset), [images.length, 3, size, size]);
      const out = (await session.run({ [part.inputName]: tensor }))[part.outputName]!.data as Float32Array;
      const dim = out.length / images.length;
      return images.map((_, i) => l2Normalise(out.slice(i * dim, (i + 1) * dim)));
    };
    return inBatches(chips, perRun, async (batch) => {
      if (!flip) return views(batch);
      if (part.maxBatch >= batch.length * 2) {
        const both = await views([...batch, ...batch.map((c) => mirrorChip(c, size))]);
        return batch.map((_, i) => l2Normalise(addVectors(both[i]!, both[i + batch.length]!)));
      }
      const straight = await views(batch);
      const mirrored = await views(batch.map((c) => mirrorChip(c, size)));
      return batch.map((_, i) => l2Normalise(addVectors(straight[i]!, mirrored[i]!)));
    });
  }

  /** Everything about every face in an image. */
  async analyse(image: RgbImage, options: AnalyseOptions): Promise<AnalysedFace[]> {
    const boxes = await this.detect(image, options);
    if (!boxes.length) return [];
    const base: PlacedImage = { ...image, scale: 1, offsetX: 0, offsetY: 0 };
    let detail: PlacedImage | null = null;
    const small = boxes.filter((b) => Math.max(b.width, b.height) < DESCRIPTOR_DETAIL_PX);
    if (small.length && options.originalScale > 1.05 && options.loadRegion) {
      // One read of the original covers every small face (a second decode, only for these photos).
      const pad = (b: Box) => ({ x: b.x - b.width, y: b.y - b.height, width: b.width * 3, height: b.height * 3 });
      const padded = small.map(pad);
      const x = Math.max(0, Math.min(...padded.map((b) => b.x)));
      const y = Math.max(0, Math.min(...padded.map((b) => b.y)));
      const right = Math.min(image.width, Math.max(...padded.map((b) => b.x + b.width)));
      const bottom = Math.min(image.height, Math.max(...padded.map((b) => b.y + b.height)));
      detail = await options.loadRegion({ x, y, width: right - x, height: bottom - y });
    }
    const sourceFor = (b: Box): PlacedImage => {
      if (!detail || Math.max(b.width, b.height) >= DESCRIPTOR_DETAIL_PX) return base;
      const r = alignmentBounds(squareAround(b));
      const inside =
        r.x * detail.scale >= detail.offsetX - 1 &&
        r.y * detail.scale >= detail.offsetY - 1 &&
        (r.x + r.width) * detail.scale <= detail.offsetX + detail.width + 1 &&
        (r.y + r.height) * detail.scale <= detail.offsetY + detail.height + 1;
      return inside ? detail : base;
    };
    const landmarks = await this.landmarks(sourceFor, boxes);
    const sources = boxes.map(sourceFor);
    const { crops, embeddings } = await this.describe(sources, landmarks);
    return boxes.map((b, i) => {
      const sizePx = Math.max(b.width, b.height) * options.originalScale;
      return {
        box: { x: b.x, y: b.y, width: b.width, height: b.height },
        landmarks: landmarks[i]!,
        score: b.score,
        quality: faceQuality(sizePx, laplacianVariance(crops[i]!, DESCRIPTOR_INPUT_SIZE), landmarks[i]!, b.score),
        embedding: embeddings[i]!,
        alignedCrop: crops[i]!,
      };
    });
  }
}
