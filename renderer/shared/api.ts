// Typed fetch for the engine's local API: JSON in, JSON out, and every ApiError body turned
// into a thrown ApiRequestError carrying the server's own message, so screens can show it as is.
import type { ApiError, ErrorCode } from '@api';

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** null when the body was not an ApiError (a proxy page, a dropped connection). */
    readonly code: ErrorCode | null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

function isApiError(body: unknown): body is ApiError {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

async function toRequestError(response: Response): Promise<ApiRequestError> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isApiError(body)) return new ApiRequestError(body.error.message, response.status, body.error.code);
  } catch {
    // Not JSON: fall through to a message built from the status line.
  }
  return new ApiRequestError(`The server answered ${response.status} ${response.statusText}`.trim(), response.status, null);
}

export interface ApiClientOptions {
  /** Called on any 401, before the error is thrown (the console switches to its login screen). */
  onUnauthorized?: () => void;
}

export interface ApiClient {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** Sends a file or blob as the raw request body with its own content type (selfies, search photos). */
  upload<T>(path: string, file: Blob): Promise<T>;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  async function request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(path, { ...init, method, credentials: 'same-origin' });
    } catch {
      throw new ApiRequestError('Cannot reach Shutterfind. Is the laptop on and on the same network?', 0, null);
    }
    if (!response.ok) {
      if (response.status === 401) options.onUnauthorized?.();
      throw await toRequestError(response);
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const json = (body: unknown): RequestInit =>
    body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };

  return {
    get: (path) => request('GET', path),
    post: (path, body) => request('POST', path, json(body)),
    patch: (path, body) => request('PATCH', path, json(body)),
    put: (path, body) => request('PUT', path, json(body)),
    delete: (path) => request('DELETE', path),
    upload: (path, file) => request('POST', path, { body: file, headers: { 'content-type': file.type || 'application/octet-stream' } }),
  };
}

/** The message to show for anything a request threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
