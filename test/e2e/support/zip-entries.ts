// Reads a downloaded ZIP the way an unzip tool does: the central directory at the end lists
// the entries, each entry's local header says where its bytes start. Stored and deflated
// entries only (what any gallery ZIP uses); ZIP64 is out of scope for a few photos.
import { inflateRawSync } from 'node:zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** The end record is 22 bytes plus a comment of at most 65535. */
const MAX_END_RECORD_SEARCH = 22 + 0xffff;

export interface ZipEntry {
  name: string;
  bytes: Buffer;
}

export function readZipEntries(zip: Buffer): ZipEntry[] {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - MAX_END_RECORD_SEARCH); i--) {
    if (zip.readUInt32LE(i) === END_OF_CENTRAL_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error(`not a ZIP file (${zip.length} bytes, no end of central directory record)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`ZIP central directory entry ${n} is damaged`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (zip.readUInt32LE(localAt) !== LOCAL_FILE_HEADER) throw new Error(`ZIP entry ${name}: damaged local header`);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const data = zip.subarray(dataAt, dataAt + compressedSize);
    if (method !== STORED && method !== DEFLATED) throw new Error(`ZIP entry ${name}: compression method ${method} not supported`);
    entries.push({ name, bytes: method === STORED ? Buffer.from(data) : inflateRawSync(data) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
