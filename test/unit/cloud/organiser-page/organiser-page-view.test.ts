// The organiser page's decisions without a server: escaping, paging, times, the origin check and
// the notice carried across a redirect.
import { describe, expect, it } from 'vitest';
import type { OrganiserSummary } from '../../../../src/cloud/index.js';
import { escapeHtml, html } from '../../../../src/cloud/organiser-page/html.js';
import {
  PHOTOS_PER_PAGE,
  ago,
  lifetime,
  photoPageOf,
  renderOrganiserPage,
  renderSignIn,
} from '../../../../src/cloud/organiser-page/organiser-page-view.js';
import { cookieOptions, decodeNotice, encodeNotice, isForeignOrigin } from '../../../../src/cloud/organiser-page/organiser-session.js';

describe('html', () => {
  it('escapes every value and keeps nested markup', () => {
    const name = `<script>alert("x")</script> & 'friends'`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;</p>',
    );
    const items = ['<a>', html`<li>ok</li>`];
    expect(
      html`<ul>
        ${items}
      </ul>`.value.replace(/\s+/g, ''),
    ).toBe('<ul>&lt;a&gt;<li>ok</li></ul>');
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(escapeHtml('plain')).toBe('plain');
  });
});

describe('photo pages', () => {
  const photos = Array.from({ length: PHOTOS_PER_PAGE * 2 + 5 }, (_, i) => i);
  it.each([
    [1, 1, 0],
    [3, 3, PHOTOS_PER_PAGE * 2],
    [99, 3, PHOTOS_PER_PAGE * 2],
    [0, 1, 0],
  ])('asked for page %i shows page %i, starting at photo %i', (asked, page, first) => {
    const shown = photoPageOf(photos, asked);
    expect(shown.page).toBe(page);
    expect(shown.pages).toBe(3);
    expect(shown.shown[0]).toBe(first);
  });
  it('an event without photos has one empty page', () => {
    expect(photoPageOf([], 4)).toEqual({ page: 1, pages: 1, shown: [] });
  });
});

describe('times', () => {
  const now = new Date('2026-06-20T18:00:00Z');
  it.each([
    ['2026-06-20T17:59:30Z', 'just now'],
    ['2026-06-20T17:48:00Z', '12 min ago'],
    ['2026-06-20T15:00:00Z', '3 h ago'],
    ['2026-06-19T17:00:00Z', '1 day ago'],
    ['2026-06-15T18:00:00Z', '5 days ago'],
  ])('last seen at %s reads "%s"', (at, words) => expect(ago(at, now)).toBe(words));
  it.each([
    [12 * 3_600_000, '12 hours'],
    [30 * 86_400_000, '30 days'],
  ])('a lifetime of %i ms reads "%s"', (ms, words) => expect(lifetime(ms)).toBe(words));
});

describe('the session', () => {
  it('refuses a form from another origin, or from an opaque one, and leaves one without Origin to SameSite', () => {
    expect(isForeignOrigin('https://photos.example.org', 'https://photos.example.org')).toBe(false);
    expect(isForeignOrigin('https://evil.example', 'https://photos.example.org')).toBe(true);
    expect(isForeignOrigin('null', 'https://photos.example.org')).toBe(true);
    expect(isForeignOrigin(undefined, 'https://photos.example.org')).toBe(false);
  });
  it('marks the cookie Secure only when the endpoint is served over https', () => {
    expect(cookieOptions('/organiser/abc', true)).toEqual({ path: '/organiser/abc', httpOnly: true, sameSite: 'strict', secure: true });
    expect(cookieOptions('/organiser/abc', false).secure).toBe(false);
  });
  it('carries a notice across the redirect and ignores anything else in its cookie', () => {
    const notice = { kind: 'join-code' as const, text: 'New join code, valid for 30 days:', joinCode: 'KXM7T-9QHWA' };
    expect(decodeNotice(encodeNotice(notice))).toEqual(notice);
    expect(decodeNotice('not base64 json')).toBeNull();
    expect(decodeNotice(Buffer.from(JSON.stringify({ kind: 'shout', text: 'hi' })).toString('base64url'))).toBeNull();
    expect(decodeNotice(undefined)).toBeNull();
  });
});

describe('the page', () => {
  it('says what to do when nothing has arrived yet', () => {
    const summary = {
      event: { id: 'ev1', name: 'Empty hall', uploadOriginals: false, cloudFaceSearch: false },
      photos: [],
      people: [],
      devices: [],
      deliveries: [],
    } as unknown as OrganiserSummary;
    const page = renderOrganiserPage({
      summary,
      basePath: '/organiser/ev1',
      storedThumbs: new Set(),
      photoPage: 1,
      notice: null,
      now: new Date(),
    });
    expect(page).toContain('No laptop has joined yet: give a photographer a join code.');
    expect(page).toContain('No photo has arrived yet.');
    expect(page).toContain('No people yet');
    expect(page).toContain('No attendee has asked for an email yet.');
    expect(page).not.toMatch(/<script|style=/);
  });
  it('the sign-in form posts to the event and shows why the last try was refused', () => {
    const form = renderSignIn('/organiser/ev1', "That is not this event's organiser token.");
    expect(form).toContain('action="/organiser/ev1/sign-in"');
    expect(form).toContain('That is not this event&#39;s organiser token.');
  });
});
