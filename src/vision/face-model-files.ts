// The face networks as ONNX files under models/face/: face-api's three (the detector also in int8)
// converted from the TF.js weights that @vladmandic/face-api ships, and MobileFaceNet and MTCNN's
// O-Net converted from the TFLite files shipped in models/face/mobilefacenet/ and models/face/mtcnn/. Conversion is deterministic;
// checksums.json (committed) records the sha256 of each file so a changed conversion or a
// corrupted file is caught.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { packageRoot } from '../config/index.js';
import { loadTfjsWeights, type WeightMap } from './tfjs-weights.js';
import {
  FACEPLUGIN_FILE,
  FACEPLUGIN_SHA256,
  MOBILEFACENET_SOURCE,
  MOBILEFACENET_SOURCE_SHA256,
  ONET_SOURCE,
  ONET_SOURCE_SHA256,
  type DescriptorPart,
} from './descriptor-networks.js';

/**
 * `detectorInt8` is the detector with int8 convolutions, the fast choice on a CPU; `descriptor` is
 * face-api's dlib port; `mobileFaceNet` the second network of the joined descriptor; `onet` places
 * the five points the descriptor's chip is aligned on.
 */
export type FaceNetwork = 'detector' | 'detectorInt8' | 'landmarks' | 'descriptor' | 'mobileFaceNet' | 'onet';

/** What a network is converted from: face-api's TF.js weights, or a file shipped under models/face. */
type NetworkSource =
  | { manifest: string; build: (w: WeightMap) => Promise<Uint8Array> }
  | { shipped: string; sha256: string; build: (bytes: Uint8Array) => Promise<Uint8Array> };

type NetworkSpec = { file: string } & NetworkSource;

// The graph builders (and onnx-proto) load only to convert: every engine start, in every photo
// worker, only checks the files, and loading them cost ~100 ms there.
const ssdMobilenetV1 = () => import('./face-networks/ssd-mobilenet-v1.js');

export const FACE_NETWORKS: Record<FaceNetwork, NetworkSpec> = {
  detector: {
    file: 'ssd_mobilenetv1.onnx',
    manifest: 'ssd_mobilenetv1_model-weights_manifest.json',
    build: async (w: WeightMap) => (await ssdMobilenetV1()).buildSsdMobilenetV1(w, 'float32'),
  },
  detectorInt8: {
    file: 'ssd_mobilenetv1_int8.onnx',
    manifest: 'ssd_mobilenetv1_model-weights_manifest.json',
    build: async (w: WeightMap) => (await ssdMobilenetV1()).buildSsdMobilenetV1(w, 'int8'),
  },
  landmarks: {
    file: 'face_landmark_68.onnx',
    manifest: 'face_landmark_68_model-weights_manifest.json',
    build: async (w: WeightMap) => (await import('./face-networks/landmarks-68.js')).buildLandmarks68(w),
  },
  descriptor: {
    file: 'face_recognition.onnx',
    manifest: 'face_recognition_model-weights_manifest.json',
    build: async (w: WeightMap) => (await import('./face-networks/face-descriptor.js')).buildFaceDescriptor(w),
  },
  mobileFaceNet: {
    file: 'mobilefacenet.onnx',
    shipped: MOBILEFACENET_SOURCE,
    sha256: MOBILEFACENET_SOURCE_SHA256,
    build: async (bytes: Uint8Array) => (await import('./face-networks/mobilefacenet.js')).buildMobileFaceNet(bytes),
  },
  onet: {
    file: 'mtcnn_onet.onnx',
    shipped: ONET_SOURCE,
    sha256: ONET_SOURCE_SHA256,
    build: async (bytes: Uint8Array) => (await import('./face-networks/mtcnn-onet.js')).buildMtcnnOnet(bytes),
  },
};

/** The model id of face-api's dlib descriptor in match configurations and in each event's record of what described its faces. */
export const DLIB_MODEL_ID = 'face-api-resnet34-128d';
/** The faceplugin network alone, projected to 128 numbers: the shipped descriptor from 2026-12-05 to 2026-12-07. */
export const FACEPLUGIN_MODEL_ID = 'faceplugin-fr-feature-512d-pca128';
/** Both networks joined on chips aligned on the 68 landmarks' five points: the shipped descriptor from 2026-12-07 until O-Net placed the points. */
export const JOINED_MODEL_ID = 'faceplugin-512+mobilefacenet-192-pca128';

export type FaceModelPaths = Record<FaceNetwork, string>;

export function faceModelDir(): string {
  // The packaged desktop app keeps the models outside its asar archive (extraResources) and
  // says where (src/main/main.ts); from a checkout they are in the repository.
  return process.env.SHUTTERFIND_FACE_MODEL_DIR || join(packageRoot(), 'models', 'face');
}

function checksumsPath(dir: string): string {
  return join(dir, 'checksums.json');
}

/** Where face-api's TF.js weights live in node_modules. */
export function faceApiWeightsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A network's converted bytes, from face-api's weights or from its file shipped under `shippedDir`. */
async function convertNetwork(spec: NetworkSpec, weightsDir: string, shippedDir: string): Promise<Uint8Array> {
  if ('manifest' in spec) {
    const manifest = join(weightsDir, spec.manifest);
    if (!existsSync(manifest)) {
      throw new Error(`Face model weights not found at ${manifest}: run \`npm install\` (they come with @vladmandic/face-api).`);
    }
    return spec.build(loadTfjsWeights(manifest));
  }
  const source = join(shippedDir, spec.shipped);
  if (!existsSync(source))
    throw new Error(`The face network file ${source} is missing: it ships with Shutterfind; reinstall it or restore the file from git.`);
  const bytes = readFileSync(source);
  if (sha256(bytes) !== spec.sha256)
    throw new Error(`The face network file ${source} does not match its recorded sha256 (damaged or replaced): reinstall Shutterfind.`);
  return spec.build(bytes);
}

/**
 * Converts every network into `dir`, returning each file's sha256. `shippedDir` holds the shipped
 * source files (models/face; a test converts into a temporary `dir` from the repository's).
 */
export async function convertFaceModels(
  dir: string,
  weightsDir: string = faceApiWeightsDir(),
  shippedDir: string = faceModelDir(),
): Promise<Record<FaceNetwork, string>> {
  mkdirSync(dir, { recursive: true });
  const sums = {} as Record<FaceNetwork, string>;
  for (const [name, spec] of Object.entries(FACE_NETWORKS) as [FaceNetwork, NetworkSpec][]) {
    const bytes = await convertNetwork(spec, weightsDir, shippedDir);
    const target = join(dir, spec.file);
    // Per thread: the photo and selfie workers of one process may convert at the same time.
    const temp = `${target}.${process.pid}.${threadId}.part`;
    writeFileSync(temp, bytes);
    renameSync(temp, target);
    sums[name] = sha256(bytes);
  }
  return sums;
}

export function readRecordedChecksums(dir: string = faceModelDir()): Record<FaceNetwork, string> | null {
  const path = checksumsPath(dir);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as Record<FaceNetwork, string>;
}

export function writeRecordedChecksums(sums: Record<FaceNetwork, string>, dir: string = faceModelDir()): void {
  writeFileSync(checksumsPath(dir), `${JSON.stringify(sums, null, 2)}\n`);
}

/**
 * Each model file as it was when its checksum last matched. Hashing the ~50 MB of models took
 * ~380 ms of every engine start (and held back the workers' warm-up behind it); a file whose
 * size, inode and change time are as recorded has not been written since, so it is not hashed
 * again. The change time moves with every write, rename or copy onto the file and cannot be set
 * back by tools, unlike the modification time.
 */
const VERIFIED_FILE = 'verified.json';

interface VerifiedFile {
  sha256: string;
  size: number;
  ino: number;
  ctimeMs: number;
}
type VerifiedFiles = Record<string, VerifiedFile>;

const fingerprint = (st: Stats): Omit<VerifiedFile, 'sha256'> => ({ size: st.size, ino: st.ino, ctimeMs: st.ctimeMs });

function readVerified(dir: string): VerifiedFiles {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, VERIFIED_FILE), 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as VerifiedFiles) : {};
  } catch {
    // Missing or unreadable: every file is hashed, as on a first start.
    return {};
  }
}

/** Best effort: on a read-only install each start hashes the files again, nothing worse. */
function writeVerified(dir: string, verified: VerifiedFiles): void {
  const target = join(dir, VERIFIED_FILE);
  const temp = `${target}.${process.pid}.${threadId}.part`;
  try {
    writeFileSync(temp, `${JSON.stringify(verified, null, 2)}\n`);
    renameSync(temp, target);
  } catch {
    // Not writable: nothing is lost but the shortcut.
    rmSync(temp, { force: true });
  }
}

function fileMatches(path: string, expected: string | undefined, verified: VerifiedFiles): boolean {
  if (!existsSync(path)) return false;
  if (expected === undefined) return true;
  const name = basename(path);
  const before = fingerprint(statSync(path));
  const known = verified[name];
  if (known && known.sha256 === expected && known.size === before.size && known.ino === before.ino && known.ctimeMs === before.ctimeMs)
    return true;
  if (sha256(readFileSync(path)) !== expected) return false;
  verified[name] = { sha256: expected, ...before };
  return true;
}

/**
 * The converted model files, converting them first when they are missing or do not match the
 * recorded checksums (first use after an install that skipped the build step).
 */
export async function ensureFaceModels(dir: string = faceModelDir()): Promise<FaceModelPaths> {
  const recorded = readRecordedChecksums(dir);
  const paths = Object.fromEntries(
    (Object.keys(FACE_NETWORKS) as FaceNetwork[]).map((n) => [n, join(dir, FACE_NETWORKS[n].file)]),
  ) as FaceModelPaths;
  // A network missing from a recorded list is unverified, so it is converted and checked too.
  const verified = readVerified(dir);
  const before = JSON.stringify(verified);
  const ok = (Object.keys(paths) as FaceNetwork[]).every(
    (n) => (!recorded || recorded[n] !== undefined) && fileMatches(paths[n], recorded?.[n], verified),
  );
  if (JSON.stringify(verified) !== before) writeVerified(dir, verified);
  if (ok) return paths;
  const sums = await convertFaceModels(dir);
  if (recorded) {
    const bad = (Object.keys(sums) as FaceNetwork[]).filter((n) => sums[n] !== recorded[n]);
    if (bad.length) {
      throw new Error(
        `Converted face models do not match models/face/checksums.json (${bad.join(', ')}); ` +
          'the face-api weights in node_modules differ from the ones this release was built with. Reinstall with `npm ci`.',
      );
    }
  } else {
    writeRecordedChecksums(sums, dir);
  }
  return paths;
}

/**
 * A descriptor network's file: dlib's and MobileFaceNet are converted with the others
 * (`models.descriptor`, `models.mobileFaceNet`); the faceplugin network ships as a file, checked
 * against its sha256 (once per change of the file, like the converted ones).
 */
export function descriptorNetworkPath(network: DescriptorPart, models: FaceModelPaths, dir: string = faceModelDir()): string {
  if (network === 'dlib-resnet') return models.descriptor;
  if (network === 'mobilefacenet-192') return models.mobileFaceNet;
  const path = join(dir, FACEPLUGIN_FILE);
  if (!existsSync(path))
    throw new Error(
      `The face descriptor network is missing at ${path}: it ships with Shutterfind; reinstall it or restore the file from git.`,
    );
  const verified = readVerified(dir);
  const before = JSON.stringify(verified);
  if (!fileMatches(path, FACEPLUGIN_SHA256, verified))
    throw new Error(
      `The face descriptor network at ${path} does not match its recorded sha256 (damaged or replaced): reinstall Shutterfind.`,
    );
  if (JSON.stringify(verified) !== before) writeVerified(dir, verified);
  return path;
}
