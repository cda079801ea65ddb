// How the organiser's browser stays signed in to one event: the organiser token in an HttpOnly,
// SameSite=Strict cookie whose path is the event's page, so it is never sent anywhere else; and a
// one-minute notice cookie that carries "done" or "why not" across the redirect after a form.
import type { CookieSerializeOptions } from '@fastify/cookie';
import { z } from 'zod';
import type { Notice } from './organiser-page-view.js';

export const ORGANISER_COOKIE = 'sf_organiser';
export const NOTICE_COOKIE = 'sf_organiser_notice';

export const organiserPagePath = (eventId: string): string => `/organiser/${eventId}`;

export function cookieOptions(path: string, secure: boolean): CookieSerializeOptions {
  return { path, httpOnly: true, sameSite: 'strict', secure };
}

/** A form posted from another origin than the endpoint's own. No Origin header (older browsers, curl) is left to SameSite. */
export function isForeignOrigin(origin: string | undefined, publicOrigin: string): boolean {
  return origin !== undefined && origin !== publicOrigin;
}

const noticeSchema = z.object({
  kind: z.enum(['done', 'error', 'join-code']),
  text: z.string().max(500),
  joinCode: z.string().max(40).optional(),
});

export function encodeNotice(notice: Notice): string {
  return Buffer.from(JSON.stringify(notice)).toString('base64url');
}

/** The notice a cookie carries; null when there is none or it is not one of ours (it is only shown, escaped). */
export function decodeNotice(value: string | undefined): Notice | null {
  if (!value) return null;
  try {
    const parsed = noticeSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
