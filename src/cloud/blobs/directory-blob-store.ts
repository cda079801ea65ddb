// Blob storage in a local directory (the default of `cloud serve`): a blob is the file `<dir>/<key>`;
// an open upload is the folder `<dir>/.uploads/<uploadId>/` with `upload.json` and one file per
// received part, so an upload survives an endpoint restart (the folder is the upload). Every file
// is written under a temporary name and renamed into place, so a torn PUT or a crash mid-join never
// leaves a part or a blob that looks complete.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { BlobStore, FinishedPart, SignedPart } from './blob-store.js';
import { BlobStoreError } from './blob-store-error.js';
import { bareEtag, isValidBlobKey, isValidDirectoryUploadId } from './blob-key.js';
import { partUrl, verifyPartAddress, type PartAddressVerdict } from './part-signature.js';

/** 8 MiB: large enough that a 25 MB preview is a handful of PUTs, small enough that a part lost to a Wi-Fi drop is cheap to resend. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** S3's own limit, kept here too so that both stores accept the same uploads. */
export const MAX_PART_NUMBER = 10_000;

const UPLOADS_FOLDER = '.uploads';
const uploadMeta = z.object({ key: z.string(), contentType: z.string(), startedAt: z.string() });

export interface DirectoryBlobStoreOptions {
  dir: string;
  /** Where laptops reach this endpoint; part URLs start with it. */
  publicBaseUrl: string;
  /** Signs part URLs; several endpoint instances on one directory must share it. */
  signingSecret: string;
  partSize?: number;
  now?: () => number;
}

/** An upload folder as the sweep of abandoned uploads sees it. */
export interface OpenDirectoryUpload {
  uploadId: string;
  /** Null when the folder has no readable upload.json (a crash between making it and writing that). */
  key: string | null;
  /** When its newest file (a part, or upload.json) was written: the laptop's last sign of life here. */
  lastWrittenAt: Date;
}

export type ReceivedPart =
  { ok: true; etag: string } | { ok: false; why: Exclude<PartAddressVerdict, 'valid'> | 'no-such-upload' | 'part-too-large' };

export class DirectoryBlobStore implements BlobStore {
  readonly description: string;
  readonly partSize: number;
  private readonly dir: string;
  private readonly publicBaseUrl: string;
  private readonly signingSecret: string;
  private readonly now: () => number;

  constructor(options: DirectoryBlobStoreOptions) {
    if (options.signingSecret.length < 16) {
      throw new Error('The blob signing secret is too short (at least 16 characters): part URLs signed with it could be forged.');
    }
    this.dir = resolve(options.dir);
    this.description = `directory ${this.dir}`;
    this.partSize = options.partSize ?? DEFAULT_PART_SIZE;
    if (!Number.isInteger(this.partSize) || this.partSize < 1)
      throw new Error(`Blob part size must be a positive whole number of bytes, not ${this.partSize}.`);
    this.publicBaseUrl = options.publicBaseUrl;
    this.signingSecret = options.signingSecret;
    this.now = options.now ?? Date.now;
  }

  async startUpload(key: string, contentType: string): Promise<string> {
    this.checkKey(key);
    const uploadId = randomBytes(18).toString('base64url');
    const folder = this.uploadFolder(uploadId);
    await mkdir(folder, { recursive: true });
    const meta: z.infer<typeof uploadMeta> = { key, contentType, startedAt: new Date(this.now()).toISOString() };
    await writeFileAtomically(join(folder, 'upload.json'), JSON.stringify(meta));
    return uploadId;
  }

  async signParts(key: string, uploadId: string, partNumbers: readonly number[], expiresAt: number): Promise<SignedPart[]> {
    await this.openUpload(key, uploadId);
    return partNumbers.map((partNumber) => {
      checkPartNumber(partNumber);
      return {
        partNumber,
        url: partUrl(this.publicBaseUrl, this.signingSecret, { key, uploadId, partNumber, expiresAt }),
        headers: { 'content-type': 'application/octet-stream' },
      };
    });
  }

  /**
   * Receives one part PUT to a signed URL: checks the signature and expiry, then streams the body to
   * disk (at most one part size) and answers the part's ETag (hex MD5, as S3 does for plain parts).
   * A part sent again replaces the earlier one.
   */
  async receivePart(
    address: { key: string; uploadId: string; partNumber: number; expiresAt: number; signature: string },
    body: Readable,
  ): Promise<ReceivedPart> {
    const { signature, ...signed } = address;
    const verdict = verifyPartAddress(this.signingSecret, signed, signature, this.now());
    if (verdict !== 'valid') return { ok: false, why: verdict };
    if (!isValidBlobKey(address.key) || !isValidDirectoryUploadId(address.uploadId)) return { ok: false, why: 'altered' };
    checkPartNumber(address.partNumber);
    const meta = await this.readUploadMeta(address.uploadId);
    if (meta === null || meta.key !== address.key) return { ok: false, why: 'no-such-upload' };

    const finalPath = this.partPath(address.uploadId, address.partNumber);
    const tempPath = `${finalPath}.${randomBytes(6).toString('hex')}.tmp`;
    const md5 = createHash('md5');
    let received = 0;
    const cap = this.partSize;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > cap) return done(new BlobStoreError('part-too-large', `A part is larger than the part size (${cap} bytes).`));
        md5.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(tempPath));
      await rename(tempPath, finalPath);
    } catch (err) {
      await rm(tempPath, { force: true });
      if (err instanceof BlobStoreError && err.code === 'part-too-large') return { ok: false, why: 'part-too-large' };
      // The upload may have been aborted (its folder removed) while the part was arriving.
      if ((await this.readUploadMeta(address.uploadId)) === null) return { ok: false, why: 'no-such-upload' };
      throw err;
    }
    return { ok: true, etag: md5.digest('hex') };
  }

  async completeUpload(key: string, uploadId: string, parts: readonly FinishedPart[]): Promise<void> {
    this.checkKey(key);
    const meta = await this.readUploadMeta(uploadId);
    if (meta === null || meta.key !== key) {
      // A completion retried after it succeeded (the answer was lost): the blob is there, the upload gone.
      if (meta === null && (await this.stat(key)) !== null) return;
      throw new BlobStoreError(
        'no-such-upload',
        `Upload ${uploadId} for ${key} is not open (finished, aborted or never started): start a new upload.`,
      );
    }
    checkPartOrder(parts);
    const blobPath = this.blobPath(key);
    await mkdir(dirname(blobPath), { recursive: true });
    // One pass: each part is hashed as it is copied, so the bytes checked against their ETag are
    // the bytes written (a part PUT again meanwhile cannot slip in), and a wrong ETag leaves only a
    // temporary file to delete: the upload stays as it was, to be fixed and completed again.
    const tempPath = `${blobPath}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const out = createWriteStream(tempPath);
      const partFiles = parts.map((p) => ({ ...p, path: this.partPath(uploadId, p.partNumber) }));
      await pipeline(async function* () {
        for (const part of partFiles) {
          const md5 = createHash('md5');
          try {
            for await (const chunk of createReadStream(part.path)) {
              md5.update(chunk as Buffer);
              yield chunk as Buffer;
            }
          } catch (err) {
            if (isMissing(err))
              throw new BlobStoreError('bad-parts', `Part ${part.partNumber} of upload ${uploadId} was never received: upload it again.`);
            throw err;
          }
          if (md5.digest('hex') !== bareEtag(part.etag)) {
            throw new BlobStoreError(
              'bad-parts',
              `Part ${part.partNumber} of upload ${uploadId} holds other bytes than ETag ${part.etag} says: upload it again.`,
            );
          }
        }
      }, out);
      await fsyncFile(tempPath);
      await rename(tempPath, blobPath);
    } catch (err) {
      await rm(tempPath, { force: true });
      // Another endpoint instance finished this very upload meanwhile (and removed its parts).
      if ((await this.readUploadMeta(uploadId)) === null && (await this.stat(key)) !== null) return;
      throw err;
    }
    await rm(this.uploadFolder(uploadId), { recursive: true, force: true });
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    this.checkKey(key);
    if (!isValidDirectoryUploadId(uploadId)) return;
    const meta = await this.readUploadMeta(uploadId);
    if (meta !== null && meta.key !== key) throw new BlobStoreError('no-such-upload', `Upload ${uploadId} is not an upload of ${key}.`);
    await rm(this.uploadFolder(uploadId), { recursive: true, force: true });
  }

  /** Every upload folder under `.uploads/`, with when it was last written to. */
  async listOpenUploads(): Promise<OpenDirectoryUpload[]> {
    let names: string[];
    try {
      names = await readdir(join(this.dir, UPLOADS_FOLDER));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    const uploads: OpenDirectoryUpload[] = [];
    for (const uploadId of names.filter(isValidDirectoryUploadId)) {
      const folder = this.uploadFolder(uploadId);
      try {
        const files = await readdir(folder);
        const times = await Promise.all([folder, ...files.map((f) => join(folder, f))].map(async (path) => (await stat(path)).mtimeMs));
        const meta = await this.readUploadMeta(uploadId).catch(() => null);
        uploads.push({ uploadId, key: meta?.key ?? null, lastWrittenAt: new Date(Math.max(...times)) });
      } catch (err) {
        // Finished or aborted while we looked: not open any more.
        if (!isMissing(err)) throw err;
      }
    }
    return uploads;
  }

  /** Removes an upload folder and its parts, whatever it holds (the sweep of abandoned uploads). */
  async discardUpload(uploadId: string): Promise<void> {
    if (!isValidDirectoryUploadId(uploadId)) return;
    await rm(this.uploadFolder(uploadId), { recursive: true, force: true });
  }

  async put(key: string, bytes: Buffer, _contentType: string): Promise<void> {
    this.checkKey(key);
    const blobPath = this.blobPath(key);
    await mkdir(dirname(blobPath), { recursive: true });
    const tempPath = `${blobPath}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(tempPath, 'w');
      try {
        await handle.writeFile(bytes);
        // Flushed before the rename, as a joined upload is: a power cut leaves no short blob under the final name.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tempPath, blobPath);
    } catch (err) {
      await rm(tempPath, { force: true });
      throw err;
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    this.checkKey(key);
    try {
      const info = await stat(this.blobPath(key));
      return info.isFile() ? { size: info.size } : null;
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<NodeJS.ReadableStream | null> {
    if ((await this.stat(key)) === null) return null;
    // `end` is inclusive, as in HTTP ranges (and S3's Range header).
    const stream = createReadStream(this.blobPath(key), range ? { start: range.start, end: range.end } : {});
    // Opening is asynchronous: wait for it, so a blob deleted in between answers null rather than an error later.
    return new Promise((resolveOpen, rejectOpen) => {
      stream.once('open', () => resolveOpen(stream));
      stream.once('error', (err) => (isMissing(err) ? resolveOpen(null) : rejectOpen(err)));
    });
  }

  async sha256(key: string): Promise<string | null> {
    const stream = await this.read(key);
    if (stream === null) return null;
    const hash = createHash('sha256');
    for await (const chunk of stream) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async delete(key: string): Promise<void> {
    this.checkKey(key);
    await rm(this.blobPath(key), { force: true });
  }

  private checkKey(key: string): void {
    if (!isValidBlobKey(key)) throw new BlobStoreError('bad-name', `Blob key ${JSON.stringify(key)} is not a plain relative path.`);
  }

  private async openUpload(key: string, uploadId: string): Promise<void> {
    this.checkKey(key);
    const meta = await this.readUploadMeta(uploadId);
    if (meta === null || meta.key !== key) {
      throw new BlobStoreError(
        'no-such-upload',
        `Upload ${uploadId} for ${key} is not open (finished, aborted or never started): start a new upload.`,
      );
    }
  }

  private async readUploadMeta(uploadId: string): Promise<z.infer<typeof uploadMeta> | null> {
    if (!isValidDirectoryUploadId(uploadId)) return null;
    try {
      return uploadMeta.parse(JSON.parse(await readFile(join(this.uploadFolder(uploadId), 'upload.json'), 'utf8')));
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  private blobPath(key: string): string {
    return join(this.dir, ...key.split('/'));
  }

  private uploadFolder(uploadId: string): string {
    if (!isValidDirectoryUploadId(uploadId))
      throw new BlobStoreError('no-such-upload', `${JSON.stringify(uploadId)} is not an upload id of this store.`);
    return join(this.dir, UPLOADS_FOLDER, uploadId);
  }

  private partPath(uploadId: string, partNumber: number): string {
    return join(this.uploadFolder(uploadId), `${String(partNumber).padStart(5, '0')}.part`);
  }
}

function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new BlobStoreError('bad-parts', `Part number ${partNumber} is outside 1–${MAX_PART_NUMBER}.`);
  }
}

function checkPartOrder(parts: readonly FinishedPart[]): void {
  if (parts.length === 0) throw new BlobStoreError('bad-parts', 'A completion needs at least one part.');
  parts.forEach((part, i) => {
    checkPartNumber(part.partNumber);
    if (i > 0 && part.partNumber <= parts[i - 1]!.partNumber) {
      throw new BlobStoreError('bad-parts', 'Parts must be listed in ascending order of part number, each once.');
    }
  });
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tempPath = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tempPath, text);
  await rename(tempPath, path);
}

/** A blob is final once renamed into place: flush it first, so a power cut cannot leave a short file under the final name. */
async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err.code === 'ENOENT' || err.code === 'ENOTDIR');
}
