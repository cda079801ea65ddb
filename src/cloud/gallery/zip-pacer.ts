// A gallery ZIP is written from blobs read whole (zipGallery takes bytes): without a limit, a slow
// phone on a long gallery would have every photo read into the endpoint's memory long before it
// is sent. The pacer counts the ZIP's bytes as the response takes them and holds the next photo
// back while more than a window's worth is waiting.
import { Transform, type TransformCallback } from 'node:stream';

/** About a dozen 2048 px previews: enough to keep a fast link busy, small enough for many downloads at once. */
export const ZIP_WINDOW_BYTES = 16 * 1024 * 1024;

export class ZipPacer {
  private handed = 0;
  private sent = 0;
  private wake: (() => void) | null = null;
  /** Put between the ZIP and the response: counts what the response has taken. */
  readonly meter: Transform;

  constructor(private readonly windowBytes = ZIP_WINDOW_BYTES) {
    this.meter = new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) => {
        this.sent += chunk.length;
        this.release();
        done(null, chunk);
      },
    });
    // A download cancelled mid-way must not leave the next photo waiting for ever.
    this.meter.once('close', () => {
      this.sent = Number.POSITIVE_INFINITY;
      this.release();
    });
  }

  /** Waits until the window has room, then counts `bytes` as handed to the ZIP. */
  async admit(read: () => Promise<Buffer>): Promise<Buffer> {
    while (this.handed - this.sent > this.windowBytes) await new Promise<void>((resolve) => (this.wake = resolve));
    const bytes = await read();
    this.handed += bytes.length;
    return bytes;
  }

  private release(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
