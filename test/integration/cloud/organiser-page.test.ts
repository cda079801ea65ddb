// The organiser's page of a cloud event, over real HTTP against a real endpoint (PostgreSQL, the
// directory blob store, a real SMTP server): signing in with the organiser token, the page listing
// every laptop's photos, people and emails (never an address), and each form doing what it says.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncOperation } from '../../../src/api/index.js';
import { ORGANISER_PAGE_CONTENT_SECURITY_POLICY } from '../../../src/cloud/organiser-page/index.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../../support/smtp-inbox.js';
import { waitFor } from '../../support/temp-dir.js';
import { call, hlc, postBatch, startCloudHarness, type CloudHarness } from './cloud-harness.js';
import {
  ALPHA,
  BRAVO,
  GOOD_ADDRESSES,
  MISTYPED_ADDRESS,
  fillOrganiserEvent,
  organiserSummaryOf,
  type FilledEvent,
} from './organiser-event.js';

let postgres: TestPostgres;
let smtp: SmtpInbox;
let cloud: CloudHarness;
let base: string;
let filled: FilledEvent;

beforeAll(async () => {
  postgres = await startPostgres();
  smtp = await startSmtpInbox();
  smtp.refuseRecipients({ address: MISTYPED_ADDRESS, code: 550, message: 'No such mailbox here' });
  cloud = await startCloudHarness(postgres, { smtpUrl: smtp.url });
  base = cloud.urls[0]!;
  const thumbs = await Promise.all(
    [20, 120, 220].map((hue) =>
      sharp({ create: { width: 96, height: 64, channels: 3, background: { r: hue, g: 255 - hue, b: 128 } } })
        .jpeg()
        .toBuffer(),
    ),
  );
  filled = await fillOrganiserEvent(cloud, thumbs);
}, 120_000);

afterAll(async () => {
  await cloud?.close();
  await smtp?.close();
  await postgres?.stop();
});

interface Page {
  status: number;
  text: string;
  headers: Headers;
}

/** A browser's request: no redirects followed, the cookie it holds, and its own origin on POSTs. */
async function browse(path: string, opts: { cookie?: string; form?: Record<string, string>; origin?: string | null } = {}): Promise<Page> {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: string | undefined;
  if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
    if (opts.origin !== null) headers.origin = opts.origin ?? new URL(base).origin;
  }
  const res = await fetch(`${base}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    headers,
    redirect: 'manual',
    ...(body !== undefined ? { body } : {}),
  });
  // Whitespace collapsed, and none around tags: the page's line breaks are layout, not meaning.
  const text = (await res.text()).replace(/\s+/g, ' ').replace(/\s?([<>])\s?/g, '$1');
  return { status: res.status, text, headers: res.headers };
}

/** The `name=value` of a Set-Cookie answer, as the browser sends it back. */
function cookieFrom(page: Page, name: string): string {
  const line = page.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(page.headers.getSetCookie())}`);
  return line.split(';')[0]!;
}

async function signIn(eventId: string, token: string): Promise<string> {
  const answer = await browse(`/organiser/${eventId}/sign-in`, { form: { token } });
  expect(answer.status).toBe(303);
  return cookieFrom(answer, 'sf_organiser');
}

/** POSTs a form as the signed-in organiser, follows the redirect back, and returns the page with its notice. */
async function submit(path: string, cookie: string, form: Record<string, string> = {}): Promise<Page> {
  const answer = await browse(path, { cookie, form });
  expect(answer.status, answer.text).toBe(303);
  expect(answer.headers.get('location')).toBe(`/organiser/${filled.event.cloudEventId}`);
  const notice = answer.headers
    .getSetCookie()
    .find((c) => c.startsWith('sf_organiser_notice='))
    ?.split(';')[0];
  return browse(`/organiser/${filled.event.cloudEventId}`, { cookie: notice ? `${cookie}; ${notice}` : cookie });
}

const pagePath = () => `/organiser/${filled.event.cloudEventId}`;
const count = (text: string, testId: string) => text.split(`data-testid="${testId}"`).length - 1;

describe('signing in', () => {
  it('asks for the organiser token before showing anything of the event', async () => {
    const form = await browse(pagePath());
    expect(form.status).toBe(200);
    expect(form.text).toContain('Organiser sign-in');
    expect(form.text).toContain('shutterfind cloud create-event');
    expect(form.text).not.toContain('Smith &amp; Okafor wedding');
    expect(form.headers.get('content-type')).toMatch(/^text\/html/);
    expect(form.headers.get('cache-control')).toBe('private, no-store');
    expect(form.headers.get('content-security-policy')).toBe(ORGANISER_PAGE_CONTENT_SECURITY_POLICY);
  });

  it("refuses a wrong token with the form again and says it is not this event's", async () => {
    const refused = await browse(`${pagePath()}/sign-in`, { form: { token: 'not-the-organiser-token-at-all' } });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('That is not this event&#39;s organiser token.');
    expect(refused.headers.getSetCookie()).toEqual([]);
  });

  it("refuses another event's organiser token and another event's cookie", async () => {
    const other = await cloud.createEvent({ name: 'Rivera birthday' });
    const refused = await browse(`${pagePath()}/sign-in`, { form: { token: other.organiserToken } });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('That is not this event&#39;s organiser token.');

    const otherCookie = await signIn(other.cloudEventId, other.organiserToken);
    const page = await browse(pagePath(), { cookie: otherCookie });
    expect(page.status).toBe(401);
    expect(page.text).toContain('Organiser sign-in');
    expect(page.text).not.toContain('IMG_4101.JPG');
    expect((await browse(`${pagePath()}/join-codes`, { cookie: otherCookie, form: {} })).status).toBe(401);
  });

  it('keeps the token in an HttpOnly, SameSite=Strict cookie sent only to this event’s page, until signing out', async () => {
    const answer = await browse(`${pagePath()}/sign-in`, { form: { token: filled.event.organiserToken } });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(pagePath());
    const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith('sf_organiser='))!;
    expect(setCookie).toContain(`Path=${pagePath()}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    // The endpoint is reached over plain http here: a Secure cookie would never come back.
    expect(setCookie).not.toContain('Secure');
    const cookie = cookieFrom(answer, 'sf_organiser');
    expect((await browse(pagePath(), { cookie })).text).toContain('data-testid="event-name">Smith &amp; Okafor wedding<');

    const out = await browse(`${pagePath()}/sign-out`, { cookie, form: {} });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().find((c) => c.startsWith('sf_organiser='))).toMatch(/sf_organiser=;.*Expires=Thu, 01 Jan 1970/);
  });
});

describe('the page of a signed-in organiser', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await signIn(filled.event.cloudEventId, filled.event.organiserToken);
  });

  it('lists both laptops with the photos each sent', async () => {
    const { text } = await browse(pagePath(), { cookie });
    expect(count(text, 'laptop')).toBe(2);
    expect(text).toContain(ALPHA.name);
    expect(text).toContain(BRAVO.name);
    // Alpha: 3 shared + 4 own; Bravo: 3 shared + 4 own.
    expect(text.match(/data-laptop="[^"]+">[\s\S]*?class="number">(\d+)</g)?.map((m) => /(\d+)<$/.exec(m)![1])).toEqual(['7', '7']);
  });

  it('shows every photo once by capture time, with how many laptops hold it, and a placeholder for a thumbnail not arrived', async () => {
    const { text } = await browse(pagePath(), { cookie });
    expect(count(text, 'photo')).toBe(11);
    const order = filled.fileNames.map((name) =>
      text.indexOf(`alt="${name}"`) >= 0 ? text.indexOf(`alt="${name}"`) : text.indexOf(`title="${name}`),
    );
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(count(text, 'thumb-placeholder')).toBe(1);
    expect(text).toMatch(new RegExp(`title="${filled.thumbless}[^"]*"[^>]*><div class="placeholder"`));
    expect(text.match(/data-testid="photo-laptops">2 laptops</g)).toHaveLength(3);
  });

  it('serves the thumbnails to the organiser only', async () => {
    const summary = await organiserSummaryOf(cloud, filled.event);
    const photo = summary.photos.find((p) => p.fileName === 'IMG_4101.JPG')!;
    const thumb = await fetch(`${base}${pagePath()}/photos/${photo.id}/thumb`, { headers: { cookie } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(96);
    expect((await fetch(`${base}${pagePath()}/photos/${photo.id}/thumb`)).status).toBe(401);
    const missing = summary.photos.find((p) => p.fileName === filled.thumbless)!;
    expect((await fetch(`${base}${pagePath()}/photos/${missing.id}/thumb`, { headers: { cookie } })).status).toBe(404);
  });

  it('lists the emails of both laptops with their state, and never an address', async () => {
    const { text } = await browse(pagePath(), { cookie });
    expect(count(text, 'delivery')).toBe(3);
    expect(text.match(/data-testid="delivery" data-state="sent"/g)).toHaveLength(2);
    expect(text).toContain('data-testid="delivery" data-state="failed"');
    expect(text).toContain('No such mailbox here');
    for (const address of [MISTYPED_ADDRESS, ...GOOD_ADDRESSES]) expect(text).not.toContain(address);
    expect(text).not.toMatch(/[\w.]+@(example\.org|gmial\.con)/);
  });

  it('shows people merged across laptops once a suggested link is confirmed', async () => {
    const before = await browse(pagePath(), { cookie });
    expect(count(before.text, 'suggested-link')).toBe(1);
    expect(before.text).toContain('data-person="Grace Smith"');
    expect(before.text).toContain('data-person="Grace"');
    expect(count(before.text, 'do-not-publish')).toBe(1);
    const linkId = /action="[^"]*\/person-links\/(\d+)\/confirm"/.exec(before.text)![1]!;

    const after = await submit(`${pagePath()}/person-links/${linkId}/confirm`, cookie);
    expect(after.text).toContain('Linked: they are one person now.');
    expect(count(after.text, 'suggested-link')).toBe(0);
    // One Grace now, from both laptops: the name Bravo wrote last wins.
    expect(count(after.text, 'person')).toBe(3);
    expect(after.text).toMatch(/data-person="Grace"[\s\S]*?5 faces · from Alpha \(main shooter\), Bravo \(second shooter\)/);
    expect(after.text).not.toContain('data-person="Grace Smith"');
  });

  it('gives a new join code that enrols a laptop', async () => {
    const page = await submit(`${pagePath()}/join-codes`, cookie);
    const code = /data-testid="join-code">([^<]+)</.exec(page.text)![1]!;
    expect(await cloud.enrol(code, 'laptop-charlie-03', 'Charlie')).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    // The notice is shown once.
    expect((await browse(pagePath(), { cookie })).text).not.toContain('data-testid="join-code"');
  });

  it('turns a setting on and off', async () => {
    const on = await submit(`${pagePath()}/settings`, cookie, { setting: 'uploadOriginals', value: 'on' });
    expect(on.text).toContain('Upload originals is on.');
    expect((await organiserSummaryOf(cloud, filled.event)).event.uploadOriginals).toBe(true);
    await submit(`${pagePath()}/settings`, cookie, { setting: 'uploadOriginals', value: 'off' });
    expect((await organiserSummaryOf(cloud, filled.event)).event.uploadOriginals).toBe(false);
  });

  it('sends a failed email again to the corrected address', async () => {
    const summary = await organiserSummaryOf(cloud, filled.event);
    const failed = summary.deliveries.find((d) => d.state === 'failed')!;
    const page = await submit(`${pagePath()}/deliveries/${failed.id}/address`, cookie, { address: 'maria.lopez@example.org' });
    expect(page.text).toContain('Address corrected');
    await waitFor(() => smtp.messages.some((m) => m.to.includes('maria.lopez@example.org')), 'the email to the corrected address');
    await waitFor(
      async () => (await organiserSummaryOf(cloud, filled.event)).deliveries.every((d) => d.state === 'sent'),
      'every email sent',
    );
    expect((await browse(pagePath(), { cookie })).text).not.toContain('maria.lopez@example.org');
  });

  it('revokes a laptop: its token sends nothing more', async () => {
    const pk = /data-laptop="Bravo \(second shooter\)"[\s\S]*?action="[^"]*\/laptops\/(\d+)\/revoke"/.exec(
      (await browse(pagePath(), { cookie })).text,
    )![1]!;
    const page = await submit(`${pagePath()}/laptops/${pk}/revoke`, cookie);
    expect(page.text).toContain('Laptop revoked');
    expect(page.text).toMatch(/data-laptop="Bravo \(second shooter\)"[\s\S]*?data-testid="laptop-revoked"/);
    const after = await call(base, 'GET', '/sync/v1/event', { token: filled.tokens.bravo });
    expect(after.status).toBe(403);
  });

  it('refuses a form posted from another site, and changes nothing', async () => {
    const refused = await browse(`${pagePath()}/settings`, {
      cookie,
      form: { setting: 'cloudFaceSearch', value: 'off' },
      origin: 'https://evil.example',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('sent from another site');
    expect((await organiserSummaryOf(cloud, filled.event)).event.cloudFaceSearch).toBe(true);
  });
});

it('shows names from laptops as text, never as markup', async () => {
  const event = await cloud.createEvent({ name: '<b>Gala</b>' });
  const token = await cloud.enrol(event.joinCode, 'laptop-echo-05', '<img src=x onerror=alert(1)>');
  const ops: SyncOperation[] = [
    {
      seq: 1,
      hlc: hlc(1_750_000_000_000, 'laptop-echo-05'),
      kind: 'person.put',
      personId: 1,
      name: '<script>alert(1)</script>',
      doNotPublish: false,
    },
    {
      seq: 2,
      hlc: hlc(1_750_000_000_001, 'laptop-echo-05'),
      kind: 'photo.put',
      sha256: 'a'.repeat(64),
      fileName: '"><script>x()</script>.jpg',
      capturedAt: null,
      width: null,
      height: null,
      thumb: null,
      preview: null,
      original: null,
    },
  ];
  expect((await postBatch(base, token, 'echo-1-2', ops)).status).toBe(200);
  const cookie = await signIn(event.cloudEventId, event.organiserToken);
  const { text } = await browse(`/organiser/${event.cloudEventId}`, { cookie });
  expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(text).toContain('&lt;b&gt;Gala&lt;/b&gt;');
  expect(text).toContain('&quot;&gt;&lt;script&gt;x()&lt;/script&gt;.jpg');
  expect(text).not.toMatch(/<script|<img src=x|<b>Gala/);
});
