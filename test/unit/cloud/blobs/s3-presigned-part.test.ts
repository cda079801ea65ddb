// A presigned part URL must be one that real S3, R2 and MinIO accept: no flexible-checksum
// parameters (the SDK's default since 2025) and only the host signed, so the uploader may send
// any Content-Length. The SDK signs locally: no service is contacted.
import { describe, expect, it } from 'vitest';
import {
  S3BlobStore,
  S3_MIN_PART_SIZE,
  makeS3Client,
  openBlobStore,
  parseS3Url,
  DirectoryBlobStore,
} from '../../../../src/cloud/blobs/index.js';

const credentials = { accessKeyId: 'AKIAEXAMPLEEXAMPLE', secretAccessKey: 'secret-example-secret-example' };

function store(): S3BlobStore {
  return new S3BlobStore({
    location: parseS3Url('s3://photos-bucket/shutterfind'),
    client: { credentials, region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true },
  });
}

describe('presigned S3 part URLs', () => {
  it('carry no checksum parameter and sign only the host header', async () => {
    const [part] = await store().signParts('events/e1/' + 'a'.repeat(64), 'upload-1', [3], Date.now() + 600_000);
    const url = new URL(part!.url);
    const names = [...url.searchParams.keys()].map((n) => n.toLowerCase());
    expect(names.filter((n) => n.includes('checksum'))).toEqual([]);
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect(url.searchParams.get('partNumber')).toBe('3');
    expect(url.searchParams.get('uploadId')).toBe('upload-1');
    expect(url.pathname).toBe(`/photos-bucket/shutterfind/events/e1/${'a'.repeat(64)}`);
    expect(Object.keys(part!.headers).filter((h) => h.toLowerCase().startsWith('x-amz'))).toEqual([]);
  });

  it('live as long as asked, within the 7 days SigV4 allows', async () => {
    const [soon] = await store().signParts('events/e1/' + 'b'.repeat(64), 'u', [1], Date.now() + 900_000);
    expect(Number(new URL(soon!.url).searchParams.get('X-Amz-Expires'))).toBeGreaterThanOrEqual(899);
    const [far] = await store().signParts('events/e1/' + 'b'.repeat(64), 'u', [1], Date.now() + 30 * 24 * 3600_000);
    expect(new URL(far!.url).searchParams.get('X-Amz-Expires')).toBe(String(7 * 24 * 3600));
  });
});

describe('the S3 client', () => {
  it('computes checksums only when an operation requires one, and uses path style for a given endpoint', async () => {
    const client = makeS3Client({ credentials }, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000' });
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.region()).toBe('us-east-1');
  });

  it('refuses parts smaller than S3 accepts', () => {
    expect(
      () =>
        new S3BlobStore({
          location: parseS3Url('s3://bucket'),
          partSize: S3_MIN_PART_SIZE - 1,
          client: { credentials, region: 'us-east-1' },
        }),
    ).toThrow(/at least 5 MiB/);
  });
});

describe('--blobs', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/events', { bucket: 'my.bucket-1', prefix: 'events' }],
    ['s3://bucket/a/b/', { bucket: 'bucket', prefix: 'a/b' }],
  ])('reads %s as a bucket and a prefix', (spec, expected) => {
    expect(parseS3Url(spec)).toEqual(expected);
  });

  it.each(['s3://', 's3://B', 's3://under_score/x'])('refuses %s with what to write instead', (spec) => {
    expect(() => parseS3Url(spec)).toThrow(/write s3:\/\/bucket/);
  });

  it('opens a directory store for a path and an S3 store for an s3:// location', () => {
    const opts = { publicBaseUrl: 'https://cloud.example', signingSecret: 'x'.repeat(32) };
    expect(openBlobStore('/srv/shutterfind/blobs', opts)).toBeInstanceOf(DirectoryBlobStore);
    expect(openBlobStore('/srv/shutterfind/blobs', opts).description).toBe('directory /srv/shutterfind/blobs');
    const prior = process.env['AWS_REGION'];
    process.env['AWS_REGION'] = 'eu-west-1';
    try {
      const s3 = openBlobStore('s3://bucket/prefix', { ...opts, partSize: 6 * 1024 * 1024 });
      expect(s3).toBeInstanceOf(S3BlobStore);
      expect(s3.description).toBe('s3://bucket/prefix');
      expect(s3.partSize).toBe(6 * 1024 * 1024);
    } finally {
      if (prior === undefined) delete process.env['AWS_REGION'];
      else process.env['AWS_REGION'] = prior;
    }
  });
});
