// ExifTool as the tests' reader (and writer of camera-like files): one process and a temp folder
// for a describe block or a file, ended and removed after it. Readers other than our own code are
// what prove an exported file says what it should.
import { ExifTool } from 'exiftool-vendored';
import { afterAll, beforeAll } from 'vitest';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface ExifToolInTests {
  readonly exiftool: ExifTool;
  /** A temp folder for the files the tests write and read back. */
  readonly dir: string;
}

export function useExifTool(): ExifToolInTests {
  let exiftool: ExifTool | undefined;
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir();
    exiftool = new ExifTool({ maxProcs: 1 });
  });
  afterAll(async () => {
    await exiftool?.end();
    await removeDir(dir);
  });
  return {
    get exiftool() {
      if (!exiftool) throw new Error('useExifTool: ExifTool is started in beforeAll; use it inside a test');
      return exiftool;
    },
    get dir() {
      return dir;
    },
  };
}
