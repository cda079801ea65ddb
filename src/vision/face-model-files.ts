// The three face networks (the detector also in int8) as ONNX files under models/face/, converted from the TF.js weights
// that @vladmandic/face-api ships. Conversion is deterministic; checksums.json (committed)
// records the sha256 of each file so a changed conversion or a corrupted file is caught.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { packageRoot } from '../config/index.js';
import { loadTfjsWeights, type WeightMap } from './tfjs-weights.js';
import { FACEPLUGIN_FILE, FACEPLUGIN_SHA256, type DescriptorNetwork } from './descriptor-networks.js';

/** `detectorInt8` is the detector with int8 convolutions, the fast choice on a CPU. */
export type FaceNetwork = 'detector' | 'detectorInt8' | 'landmarks' | 'descriptor';

interface NetworkSpec {
  file: string;
  manifest: string;
  build: (w: WeightMap) => Promise<Uint8Array>;
}

// The graph builders (and onnx-proto) load only to convert: every engine start, in every photo
// worker, only checks the files, and loading them cost ~100 ms there.
const ssdMobilenetV1 = () => import('./face-networks/ssd-mobilenet-v1.js');

export const FACE_NETWORKS: Record<FaceNetwork, NetworkSpec> = {
  detector: {
    file: 'ssd_mobilenetv1.onnx',
    manifest: 'ssd_mobilenetv1_model-weights_manifest.json',
    build: async (w) => (await ssdMobilenetV1()).buildSsdMobilenetV1(w, 'float32'),
  },
  detectorInt8: {
    file: 'ssd_mobilenetv1_int8.onnx',
    manifest: 'ssd_mobilenetv1_model-weights_manifest.json',
    build: async (w) => (await ssdMobilenetV1()).buildSsdMobilenetV1(w, 'int8'),
  },
  landmarks: {
    file: 'face_landmark_68.onnx',
    manifest: 'face_landmark_68_model-weights_manifest.json',
    build: async (w) => (await import('./face-networks/landmarks-68.js')).buildLandmarks68(w),
  },
  descriptor: {
    file: 'face_recognition.onnx',
    manifest: 'face_recognition_model-weights_manifest.json',
    build: async (w) => (await import('./face-networks/face-descriptor.js')).buildFaceDescriptor(w),
  },
};

/** The model id of face-api's dlib descriptor in match configurations and in each event's record of what described its faces. */
export const DLIB_MODEL_ID = 'face-api-resnet34-128d';

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

/** Converts every network into `dir`, returning each file's sha256. */
export async function convertFaceModels(dir: string, weightsDir: string = faceApiWeightsDir()): Promise<Record<FaceNetwork, string>> {
  mkdirSync(dir, { recursive: true });
  const sums = {} as Record<FaceNetwork, string>;
  for (const [name, spec] of Object.entries(FACE_NETWORKS) as [FaceNetwork, NetworkSpec][]) {
    const manifest = join(weightsDir, spec.manifest);
    if (!existsSync(manifest)) {
      throw new Error(`Face model weights not found at ${manifest}: run \`npm install\` (they come with @vladmandic/face-api).`);
    }
    const bytes = await spec.build(loadTfjsWeights(manifest));
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
 * The descriptor network's file: dlib's is converted with the others (`models.descriptor`); the
 * faceplugin network ships as a file, checked against its sha256 (once per change of the file,
 * like the converted ones).
 */
export function descriptorNetworkPath(network: DescriptorNetwork, models: FaceModelPaths, dir: string = faceModelDir()): string {
  if (network === 'dlib-resnet') return models.descriptor;
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
