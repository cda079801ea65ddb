// The fuzz targets: one per piece of hand-written format code. Each runs one input through
// a harness that throws FuzzFinding on misbehaviour; seeds come from test/fuzz/seeds.ts.
import type { PhotoFormat } from '../../src/camera-files/index.js';
import { extractPreviewSafely, probeBytes } from './harnesses.js';

export interface FuzzTarget {
  name: TargetName;
  what: string;
  run(input: Uint8Array): Promise<void> | void;
}

export const TARGET_NAMES = ['tiff', 'containers', 'raw-preview'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

const TIFF_FORMATS: readonly PhotoFormat[] = ['tiff', 'raw-tiff'];
const CONTAINER_FORMATS: readonly PhotoFormat[] = ['jpeg', 'png', 'heic', 'raf'];

export const TARGETS: Readonly<Record<TargetName, FuzzTarget>> = {
  tiff: {
    name: 'tiff',
    what: 'TIFF/RAW directory walking (checkCompleteness tiff, raw-tiff) and readiness of the result',
    run: (input) => probeBytes(input, 'IMG_0001.NEF', TIFF_FORMATS),
  },
  containers: {
    name: 'containers',
    what: 'format detection, JPEG/PNG end markers, ISO-BMFF (HEIC, AVIF, CR3) box walking, RAF header, and readiness of the result',
    run: (input) => probeBytes(input, 'IMG_0001.HEIC', CONTAINER_FORMATS),
  },
  'raw-preview': {
    name: 'raw-preview',
    what: 'embedded JPEG preview search in RAW files (extractEmbeddedJpeg)',
    run: (input) => {
      extractPreviewSafely(input, 'IMG_0001.CR3');
    },
  },
};

export function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}
