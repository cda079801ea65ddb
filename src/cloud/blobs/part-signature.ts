// The signed part addresses of the directory blob store: the endpoint itself receives part PUTs,
// so, as with S3 presigned URLs, the signature is the authorisation. Pure functions: the secret,
// the clock and the address come in as arguments.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface PartAddress {
  key: string;
  uploadId: string;
  partNumber: number;
  /** Expiry, ms since epoch. */
  expiresAt: number;
}

/** Hex HMAC-SHA256 over every field of the address, so changing any of them breaks it. */
export function signPartAddress(secret: string, address: PartAddress): string {
  // Newline-separated: none of the fields may contain one (keys and upload ids are checked), so
  // two different addresses can never produce the same signed text.
  const text = ['blob-part-v1', address.key, address.uploadId, String(address.partNumber), String(address.expiresAt)].join('\n');
  return createHmac('sha256', secret).update(text).digest('hex');
}

export type PartAddressVerdict = 'valid' | 'altered' | 'expired';

/** Checks a presented signature in constant time; an altered address is refused before its expiry is believed. */
export function verifyPartAddress(secret: string, address: PartAddress, signature: string, now: number): PartAddressVerdict {
  const expected = Buffer.from(signPartAddress(secret, address), 'utf8');
  const presented = Buffer.from(signature, 'utf8');
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same either way.
  const sameLength = presented.length === expected.length;
  const matches = timingSafeEqual(expected, sameLength ? presented : expected) && sameLength;
  if (!matches) return 'altered';
  return now < address.expiresAt ? 'valid' : 'expired';
}

/** The URL a laptop PUTs one part to: `${publicBaseUrl}/blob-parts/<uploadId>/<partNumber>?key=…&exp=…&sig=…`. */
export function partUrl(publicBaseUrl: string, secret: string, address: PartAddress): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const query = new URLSearchParams({
    key: address.key,
    exp: String(address.expiresAt),
    sig: signPartAddress(secret, address),
  });
  return `${base}${PART_ROUTE_PREFIX}/${encodeURIComponent(address.uploadId)}/${address.partNumber}?${query.toString()}`;
}

export const PART_ROUTE_PREFIX = '/blob-parts';
