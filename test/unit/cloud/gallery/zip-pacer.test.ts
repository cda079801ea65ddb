import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ZipPacer } from '../../../../src/cloud/gallery/zip-pacer.js';

describe('the gallery ZIP pacer', () => {
  it('holds the next photo back while more than a window is waiting to be sent, and lets it go as the phone takes bytes', async () => {
    const pacer = new ZipPacer(100);
    const reads: number[] = [];
    const read = (n: number) => async () => {
      reads.push(n);
      return Buffer.alloc(80);
    };
    await pacer.admit(read(1));
    await pacer.admit(read(2));
    let third = false;
    const pending = pacer.admit(read(3)).then(() => (third = true));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    expect(reads).toEqual([1, 2]);

    // The response takes 100 bytes: 60 wait, within the window.
    const phone = new PassThrough();
    pacer.meter.pipe(phone);
    pacer.meter.write(Buffer.alloc(100));
    await pending;
    expect(reads).toEqual([1, 2, 3]);
  });

  it('never leaves a photo waiting once the download was cancelled', async () => {
    const pacer = new ZipPacer(10);
    await pacer.admit(async () => Buffer.alloc(50));
    const pending = pacer.admit(async () => Buffer.alloc(50));
    pacer.meter.destroy();
    await expect(pending).resolves.toHaveLength(50);
  });
});
