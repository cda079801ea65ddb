import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** SHA-256 of a file's bytes, streamed so a 50 MB RAW never sits in memory whole. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  // 1 MiB reads: fewer round trips through libuv for 10–50 MB camera files.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
