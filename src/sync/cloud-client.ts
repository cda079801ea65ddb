// The laptop's HTTP client for the sync protocol: axios with timeouts, every answer parsed with
// the protocol's schemas, and every failure turned into a SyncRequestError that says what failed,
// what the endpoint said and whether trying again can help.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import type { z } from 'zod';
import {
  batchResponse,
  BUNDLE_CONTENT_TYPE,
  bundleResponse,
  cloudErrorBody,
  cloudEventPolicy,
  completeUploadResponse,
  deliveryStatesResponse,
  enrolResponse,
  gapResponse,
  missingBlobsResponse,
  partUrlsResponse,
  startUploadResponse,
  SYNC_API_PREFIX,
  type BatchResponse,
  type BlobKind,
  type BundleResponse,
  type CloudEventPolicy,
  type DeliveryStatesResponse,
  type EnrolRequest,
  type EnrolResponse,
  type PartUrl,
  type StartUploadResponse,
} from '../api/index.js';
import { classifyFailure, retryAfterMs, type FailureKind } from './retry-policy.js';

export interface SyncTimeouts {
  /** Connecting to the endpoint (TCP): a venue network that swallows packets fails here, not after responseMs. */
  connectMs: number;
  /** A metadata request's whole answer (a batch is applied in one transaction of well under a second). */
  responseMs: number;
  /**
   * A part upload's time at this rate at least, on top of responseMs: 8 MiB parts over a poor
   * venue link (~250 kB/s) take half a minute; slower than this, the link is as good as down.
   */
  minPartBytesPerSecond: number;
}

export const SYNC_TIMEOUTS: SyncTimeouts = { connectMs: 10_000, responseMs: 30_000, minPartBytesPerSecond: 64 * 1024 };

/** A request that failed: `kind` says whether trying again can help (see classifyFailure). */
export class SyncRequestError extends Error {
  override name = 'SyncRequestError';
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly status: number | null,
    readonly code: string | null,
    readonly retryAfterMs: number | null,
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

/** What the user should read for a refusal, by kind. */
const REVOKED = "this laptop's sync access was revoked or is wrong: enrol again with a new join code";

function failure(what: string, err: unknown): SyncRequestError {
  if (err instanceof SyncRequestError) return err;
  if (err instanceof AxiosError && err.response) {
    const status = err.response.status;
    const parsed = cloudErrorBody.safeParse(err.response.data);
    const said = parsed.success ? parsed.data.message : typeof err.response.data === 'string' ? err.response.data.slice(0, 300) : '';
    const kind = classifyFailure(status);
    const header = err.response.headers['retry-after'] as string | undefined;
    const message =
      kind === 'revoked'
        ? `${what}: ${status}: ${REVOKED}${said ? ` (the endpoint said: ${said})` : ''}`
        : `${what}: the endpoint answered ${status}${said ? `: ${said}` : ''}`;
    return new SyncRequestError(
      message,
      kind,
      status,
      parsed.success ? parsed.data.code : null,
      retryAfterMs(header, Date.now()),
      err.response.data,
    );
  }
  const code = err instanceof AxiosError ? (err.code ?? null) : null;
  const cause = err instanceof Error ? err.message : String(err);
  return new SyncRequestError(
    `${what}: the endpoint could not be reached (${cause}); sync tries again when the connection is back`,
    'offline',
    null,
    code,
    null,
  );
}

function parsed<T extends z.ZodTypeAny>(what: string, schema: T, response: AxiosResponse): z.infer<T> {
  const r = schema.safeParse(response.data);
  if (!r.success) {
    throw new SyncRequestError(
      `${what}: the endpoint's answer is not what this version of Shutterfind expects (${r.error.issues[0]?.message ?? 'invalid'}); is the endpoint address right, and is it a Shutterfind endpoint of the same version?`,
      'refused',
      response.status,
      'bad-answer',
      null,
    );
  }
  return r.data as z.infer<T>;
}

export type BatchOutcome = { ok: true; response: BatchResponse } | { ok: false; gap: true; expectedSeq: number; message: string };

export interface CloudClient {
  readonly endpoint: string;
  event(): Promise<CloudEventPolicy>;
  postBatch(body: string, idempotencyKey: string): Promise<BatchOutcome>;
  missingBlobs(sha256s: readonly string[]): Promise<string[]>;
  startUpload(req: { sha256: string; size: number; kind: BlobKind; contentType: string }): Promise<StartUploadResponse>;
  partUrls(uploadId: string, partNumbers: readonly number[]): Promise<PartUrl[]>;
  /** PUTs one part's bytes; the ETag the store answered. */
  putPart(part: PartUrl, bytes: Buffer): Promise<string>;
  completeUpload(uploadId: string, parts: readonly { partNumber: number; etag: string }[]): Promise<void>;
  /** Sends a bundle of small blobs (the body's pieces from encodeBundle); which were stored, which refused. */
  /** `body` is sent as it is (sync/blob-bundles.ts reads the files straight into it). */
  sendBundle(body: Buffer, blobCount: number): Promise<BundleResponse>;
  deliveries(): Promise<DeliveryStatesResponse['deliveries']>;
  close(): void;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** A socket that has not connected within `ms` is destroyed (axios has a response timeout only). */
function withConnectTimeout(socket: Socket, ms: number): Socket {
  const timer = setTimeout(() => socket.destroy(new Error(`no connection within ${ms / 1000} s`)), ms);
  socket.once('connect', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  return socket;
}

class SyncHttpAgent extends HttpAgent {
  constructor(private readonly connectMs: number) {
    super({ keepAlive: true });
  }
  override createConnection(...args: Parameters<HttpAgent['createConnection']>): Socket {
    return withConnectTimeout(super.createConnection(...args) as Socket, this.connectMs);
  }
}

class SyncHttpsAgent extends HttpsAgent {
  constructor(private readonly connectMs: number) {
    super({ keepAlive: true });
  }
  override createConnection(...args: Parameters<HttpsAgent['createConnection']>): Socket {
    return withConnectTimeout(super.createConnection(...args) as Socket, this.connectMs);
  }
}

function agents(timeouts: SyncTimeouts) {
  // keepAlive: a sync is hundreds of requests to one host.
  return { httpAgent: new SyncHttpAgent(timeouts.connectMs), httpsAgent: new SyncHttpsAgent(timeouts.connectMs) };
}

function httpClient(baseURL: string, timeouts: SyncTimeouts): AxiosInstance {
  return axios.create({
    baseURL,
    timeout: timeouts.responseMs,
    ...agents(timeouts),
    // No redirects: a token is never sent to a host it was not given to.
    maxRedirects: 0,
    // Parse bodies ourselves for errors too, and keep 4xx/5xx as errors.
    transitional: { clarifyTimeoutError: true },
  });
}

/** POST /sync/v1/enrol: the join code traded for a device token. */
export async function enrolDevice(endpoint: string, request: EnrolRequest, timeouts: SyncTimeouts = SYNC_TIMEOUTS): Promise<EnrolResponse> {
  const http = httpClient(trimSlash(endpoint), timeouts);
  const what = `Enrolling with ${endpoint}`;
  try {
    const response = await http.post(`${SYNC_API_PREFIX}/enrol`, request);
    return parsed(what, enrolResponse, response);
  } catch (err) {
    const e = failure(what, err);
    if (e.kind === 'revoked' || e.status === 404) {
      throw new SyncRequestError(
        `${what}: the join code was refused (${e.status}): check it with the organiser, or ask for a new one`,
        e.kind,
        e.status,
        e.code,
        null,
      );
    }
    throw e;
  } finally {
    http.defaults.httpAgent?.destroy?.();
    http.defaults.httpsAgent?.destroy?.();
  }
}

export function createCloudClient(endpoint: string, deviceToken: string, timeouts: SyncTimeouts = SYNC_TIMEOUTS): CloudClient {
  const base = trimSlash(endpoint);
  const http = httpClient(base, timeouts);
  http.defaults.headers.common['authorization'] = `Bearer ${deviceToken}`;
  // Part URLs may point elsewhere (S3): a separate client without the device token.
  const parts = axios.create({ ...agents(timeouts), maxRedirects: 0 });

  const call = async <T extends z.ZodTypeAny>(
    what: string,
    method: 'get' | 'post',
    path: string,
    schema: T,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<z.infer<T>> => {
    try {
      const response = await http.request({
        method,
        url: `${SYNC_API_PREFIX}${path}`,
        ...(body === undefined ? {} : { data: body }),
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      });
      return parsed(what, schema, response);
    } catch (err) {
      throw failure(what, err);
    }
  };

  return {
    endpoint: base,
    event: () => call('Reading the cloud event', 'get', '/event', cloudEventPolicy),
    async postBatch(body, idempotencyKey) {
      const what = `Sending operations ${idempotencyKey.split('-').slice(-2).join('–')}`;
      try {
        return { ok: true, response: await call(what, 'post', '/batches', batchResponse, body, { 'idempotency-key': idempotencyKey }) };
      } catch (err) {
        if (err instanceof SyncRequestError && err.status === 409) {
          const gap = gapResponse.safeParse(err.body);
          if (gap.success) return { ok: false, gap: true, expectedSeq: gap.data.expectedSeq, message: gap.data.message };
        }
        throw err;
      }
    },
    missingBlobs: async (sha256s) =>
      (await call('Asking which files the endpoint lacks', 'post', '/blobs/missing', missingBlobsResponse, { sha256s })).missing,
    startUpload: (req) =>
      call(`Starting the upload of ${req.kind} ${req.sha256.slice(0, 12)}`, 'post', '/blobs/uploads', startUploadResponse, req),
    partUrls: async (uploadId, partNumbers) =>
      (
        await call(
          `Asking for part addresses of upload ${uploadId.slice(0, 16)}`,
          'post',
          `/blobs/uploads/${encodeURIComponent(uploadId)}/part-urls`,
          partUrlsResponse,
          {
            partNumbers,
          },
        )
      ).parts,
    async putPart(part, bytes) {
      const what = `Uploading part ${part.partNumber}`;
      try {
        const response = await parts.put(part.url, bytes, {
          // Exactly the headers the endpoint signed, and the length: a presigned S3 URL refuses others.
          headers: {
            // axios would add application/x-www-form-urlencoded: a header the URL was not signed with.
            ...(Object.keys(part.headers).some((h) => h.toLowerCase() === 'content-type') ? {} : { 'Content-Type': false }),
            ...part.headers,
            'content-length': String(bytes.length),
          },
          timeout: timeouts.responseMs + Math.ceil((bytes.length / timeouts.minPartBytesPerSecond) * 1000),
          transformRequest: [(data: unknown) => data],
          maxBodyLength: Infinity,
          maxContentLength: Infinity,
        });
        const etag = response.headers['etag'] as string | undefined;
        if (!etag) throw new SyncRequestError(`${what}: the blob store answered without an ETag`, 'busy', response.status, 'no-etag', null);
        return etag;
      } catch (err) {
        throw failure(what, err);
      }
    },
    async completeUpload(uploadId, doneParts) {
      await call(
        `Completing upload ${uploadId.slice(0, 16)}`,
        'post',
        `/blobs/uploads/${encodeURIComponent(uploadId)}/complete`,
        completeUploadResponse,
        {
          parts: doneParts,
        },
      );
    },
    async sendBundle(body, blobCount) {
      const what = `Sending a bundle of ${blobCount} file(s)`;
      try {
        const response = await http.post(`${SYNC_API_PREFIX}/blobs/bundles`, body, {
          headers: { 'content-type': BUNDLE_CONTENT_TYPE, 'content-length': String(body.length) },
          // As long as a part of the same size may take.
          timeout: timeouts.responseMs + Math.ceil((body.length / timeouts.minPartBytesPerSecond) * 1000),
          transformRequest: [(data: unknown) => data],
          maxBodyLength: Infinity,
        });
        return parsed(what, bundleResponse, response);
      } catch (err) {
        throw failure(what, err);
      }
    },
    deliveries: async () => (await call('Reading delivery states', 'get', '/deliveries', deliveryStatesResponse)).deliveries,
    close() {
      for (const c of [http, parts]) {
        (c.defaults.httpAgent as HttpAgent | undefined)?.destroy();
        (c.defaults.httpsAgent as HttpsAgent | undefined)?.destroy();
      }
    },
  };
}
