// How long a RAW that landed alone waits for its JPEG (see camera-files' rawHoldMs): asks the disk
// whether the JPEG is already there and remembers, per folder, whether this camera shoots pairs.
import { stat } from 'node:fs/promises';
import { RENDERED_PARTNER_EXTENSIONS, rawHoldMs, splitCaptureName, type RawHoldPolicy } from '../camera-files/index.js';

export interface RawWaits {
  /** Milliseconds the RAW at `path` should wait before it is processed alone. */
  waitFor(path: string): Promise<number>;
  /** A RAW landed with no partner (counts towards "this camera shoots RAW only"). */
  rawAlone(path: string): void;
  /** A pair was made in this folder: the camera shoots RAW+JPEG. */
  paired(path: string): void;
}

async function partnerOnDisk(path: string): Promise<boolean> {
  const { folder, stem } = splitCaptureName(path);
  const found = await Promise.all(
    RENDERED_PARTNER_EXTENSIONS.map((ext) =>
      stat(`${folder}${stem}${ext}`).then(
        (s) => s.isFile(),
        () => false,
      ),
    ),
  );
  return found.some(Boolean);
}

export function createRawWaits(policy: RawHoldPolicy, live: boolean): RawWaits {
  const unpairedInARow = new Map<string, number>();
  const folderOf = (path: string) => splitCaptureName(path).folder;
  return {
    async waitFor(path) {
      if (policy.holdMs === 0) return 0;
      return rawHoldMs(policy, {
        partnerOnDisk: await partnerOnDisk(path),
        live,
        unpairedRawsInARow: unpairedInARow.get(folderOf(path)) ?? 0,
      });
    },
    rawAlone(path) {
      const folder = folderOf(path);
      unpairedInARow.set(folder, (unpairedInARow.get(folder) ?? 0) + 1);
    },
    paired(path) {
      unpairedInARow.set(folderOf(path), 0);
    },
  };
}
