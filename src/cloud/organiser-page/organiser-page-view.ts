// What the organiser's page of a cloud event shows, as HTML, decided from the organiser's summary:
// laptops, join codes, settings, photos, people and deliveries of every laptop. Pure: the routes
// bring the summary, which thumbnails have arrived, a notice and the clock.
import type { OrganiserPerson, OrganiserSummary } from '../cloud-events.js';
import type { SummaryDelivery, SummaryDevice, SummaryPhoto } from '../database/index.js';
import { html, type SafeHtml } from './html.js';

export const ORGANISER_STYLESHEET_PATH = '/organiser-assets/organiser-page.css';
/** Enough for a screenful of rows of thumbnails without making a 5,000-photo event one huge page. */
export const PHOTOS_PER_PAGE = 240;

export interface Notice {
  kind: 'done' | 'error' | 'join-code';
  text: string;
  /** A new join code, shown once. */
  joinCode?: string | undefined;
}

export interface OrganiserPageInput {
  summary: OrganiserSummary;
  /** `/organiser/<eventId>`: forms and thumbnails hang under it. */
  basePath: string;
  /** Thumbnail hashes whose blob has arrived. */
  storedThumbs: ReadonlySet<string>;
  /** 1-based page of photos. */
  photoPage: number;
  notice: Notice | null;
  now: Date;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

const dateTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' });

/** "5 Jun 2026, 18:04", in UTC: the endpoint does not know the organiser's time zone (the page header says which it uses). */
export function formatTime(at: Date | string | null): string {
  if (at === null) return '—';
  return dateTime.format(new Date(at));
}

/** "12 hours", "30 days": how long something stays valid. */
export function lifetime(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours >= 48 ? plural(Math.round(hours / 24), 'day') : plural(hours, 'hour');
}

/** "just now", "12 min ago", "3 h ago", "2 days ago". */
export function ago(at: Date | string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - new Date(at).getTime()) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  const days = Math.floor(s / 86_400);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="stylesheet" href="${ORGANISER_STYLESHEET_PATH}" />
      </head>
      <body>
        ${body}
      </body>
    </html> `.value;
}

/** The sign-in form, with the reason the last try was refused. */
export function renderSignIn(basePath: string, error: string | null): string {
  return page(
    'Organiser sign-in — Shutterfind',
    html`<main class="sign-in">
      <form class="card sign-in-card" method="post" action="${basePath}/sign-in" data-testid="sign-in-form">
        <p class="brand">Shutterfind <span>cloud</span></p>
        <h1>Organiser sign-in</h1>
        <p class="muted">Enter the organiser token that <code>shutterfind cloud create-event</code> printed for this event.</p>
        ${error ? html`<p class="notice error" role="alert" data-testid="sign-in-error">${error}</p>` : ''}
        <label for="token">Organiser token</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required autofocus />
        <button class="button primary" type="submit">Sign in</button>
      </form>
    </main>`,
  );
}

/** A refusal or failure as a page, with a way back. */
export function renderProblem(title: string, message: string, back: string | null): string {
  return page(
    `${title} — Shutterfind`,
    html`<main class="sign-in">
      <div class="card sign-in-card">
        <p class="brand">Shutterfind <span>cloud</span></p>
        <h1>${title}</h1>
        <p data-testid="problem">${message}</p>
        ${back ? html`<a class="button" href="${back}">Back to the event</a>` : ''}
      </div>
    </main>`,
  );
}

export function renderOrganiserPage(input: OrganiserPageInput): string {
  const { summary, basePath } = input;
  const deviceNames = new Map(summary.devices.map((d) => [d.pk, d.name]));
  return page(
    `${summary.event.name} — Shutterfind organiser`,
    html`<header class="top">
        <div class="top-inner">
          <p class="brand">Shutterfind <span>cloud</span></p>
          <h1 data-testid="event-name">${summary.event.name}</h1>
          <span class="muted small">Times in UTC</span>
          <form method="post" action="${basePath}/sign-out"><button class="button quiet" type="submit">Sign out</button></form>
        </div>
      </header>
      <main class="content">
        ${noticeOf(input.notice)} ${overview(summary)}
        <div class="columns">
          ${laptopsSection(summary, basePath, input.now)}
          <div class="stack">${joinCodeSection(basePath)} ${settingsSection(summary, basePath)}</div>
        </div>
        ${photosSection(summary.photos, input, deviceNames)} ${peopleSection(summary.people, basePath, deviceNames)}
        ${deliveriesSection(summary.deliveries, basePath, deviceNames)}
      </main>`,
  );
}

function noticeOf(notice: Notice | null): SafeHtml | '' {
  if (!notice) return '';
  if (notice.kind === 'join-code') {
    return html`<section class="notice done" role="status" data-testid="notice">
      ${notice.text} <strong class="join-code" data-testid="join-code">${notice.joinCode}</strong>
    </section>`;
  }
  return html`<section class="notice ${notice.kind}" role="${notice.kind === 'error' ? 'alert' : 'status'}" data-testid="notice">
    ${notice.text}
  </section>`;
}

function overview(summary: OrganiserSummary): SafeHtml {
  const groups = new Set(summary.people.map((p) => p.merged.groupId)).size;
  const sent = summary.deliveries.filter((d) => d.state === 'sent').length;
  const failed = summary.deliveries.filter((d) => d.state === 'failed').length;
  const stat = (value: number, label: string, testId: string, tone = '') =>
    html`<div class="stat ${tone}" data-testid="${testId}"><strong>${value.toLocaleString('en-GB')}</strong><span>${label}</span></div>`;
  return html`<section class="stats">
    ${stat(summary.photos.length, 'photos', 'stat-photos')} ${stat(groups, 'people', 'stat-people')}
    ${stat(summary.devices.filter((d) => !d.revokedAt).length, 'laptops connected', 'stat-laptops')}
    ${stat(sent, 'emails sent', 'stat-sent')} ${failed > 0 ? stat(failed, 'emails failed', 'stat-failed', 'bad') : ''}
  </section>`;
}

function laptopsSection(summary: OrganiserSummary, basePath: string, now: Date): SafeHtml {
  const photosOf = new Map<number, number>();
  for (const photo of summary.photos) for (const pk of photo.devicePks) photosOf.set(pk, (photosOf.get(pk) ?? 0) + 1);
  const row = (d: SummaryDevice) =>
    html`<tr data-testid="laptop" data-laptop="${d.name}">
      <td>
        <strong>${d.name}</strong>
        <div class="muted small">enrolled ${formatTime(d.enrolledAt)}</div>
      </td>
      <td>
        ${d.lastSeenAt ? html`<span title="${formatTime(d.lastSeenAt)}">${ago(d.lastSeenAt, now)}</span>` : html`<span class="muted">never</span>`}
      </td>
      <td class="number">${(photosOf.get(d.pk) ?? 0).toLocaleString('en-GB')}</td>
      <td>
        ${
          d.revokedAt
            ? html`<span class="badge bad" data-testid="laptop-revoked" title="${formatTime(d.revokedAt)}">Revoked</span>`
            : html`<form method="post" action="${basePath}/laptops/${d.pk}/revoke">
                <button class="button danger small" type="submit" data-testid="revoke">Revoke</button>
              </form>`
        }
      </td>
    </tr>`;
  return html`<section class="card" id="laptops">
    <h2>Laptops</h2>
    ${
      summary.devices.length === 0
        ? html`<p class="muted">No laptop has joined yet: give a photographer a join code.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>Laptop</th>
                <th>Last seen</th>
                <th class="number">Photos sent</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${summary.devices.map(row)}
            </tbody>
          </table>`
    }
  </section>`;
}

function joinCodeSection(basePath: string): SafeHtml {
  return html`<section class="card" id="join-codes">
    <h2>Join codes</h2>
    <p class="muted">
      A photographer types a join code in the console's Sync section to connect a laptop. Earlier codes keep working until they expire.
    </p>
    <form method="post" action="${basePath}/join-codes">
      <button class="button primary" type="submit" data-testid="new-join-code">New join code</button>
    </form>
  </section>`;
}

function settingsSection(summary: OrganiserSummary, basePath: string): SafeHtml {
  const toggle = (setting: 'uploadOriginals' | 'cloudFaceSearch', on: boolean, label: string, explain: string) =>
    html`<form class="setting" method="post" action="${basePath}/settings" data-testid="setting-${setting}">
      <div>
        <strong>${label}</strong>
        <div class="muted small">${explain}</div>
      </div>
      <input type="hidden" name="setting" value="${setting}" />
      <input type="hidden" name="value" value="${on ? 'off' : 'on'}" />
      <button class="toggle ${on ? 'on' : ''}" type="submit" aria-pressed="${on ? 'true' : 'false'}" title="Turn ${on ? 'off' : 'on'}">
        <span>${on ? 'On' : 'Off'}</span>
      </button>
    </form>`;
  return html`<section class="card" id="settings">
    <h2>Settings</h2>
    ${toggle('uploadOriginals', summary.event.uploadOriginals, 'Upload originals', 'Laptops also send the camera files, not only previews.')}
    ${toggle(
      'cloudFaceSearch',
      summary.event.cloudFaceSearch,
      'Cloud face search',
      'Laptops send face descriptors so people found on several laptops can be linked. Selfies never leave the laptop.',
    )}
  </section>`;
}

/** The photos on the asked page; a page past the end shows the last one. */
export function photoPageOf<T>(photos: readonly T[], asked: number): { page: number; pages: number; shown: T[] } {
  const pages = Math.max(1, Math.ceil(photos.length / PHOTOS_PER_PAGE));
  const page = Math.min(Math.max(1, Math.floor(asked)), pages);
  return { page, pages, shown: photos.slice((page - 1) * PHOTOS_PER_PAGE, page * PHOTOS_PER_PAGE) };
}

function photosSection(photos: readonly SummaryPhoto[], input: OrganiserPageInput, deviceNames: ReadonlyMap<number, string>): SafeHtml {
  const { page: current, pages, shown } = photoPageOf(photos, input.photoPage);
  const tile = (p: SummaryPhoto) => {
    const holders = p.devicePks.map((pk) => deviceNames.get(pk) ?? `laptop ${pk}`).join(', ');
    const arrived = p.thumbSha256 !== null && input.storedThumbs.has(p.thumbSha256);
    return html`<figure class="photo" data-testid="photo" title="${p.fileName} — on ${holders}">
      ${
        arrived
          ? html`<img src="${input.basePath}/photos/${p.id}/thumb" alt="${p.fileName}" loading="lazy" />`
          : html`<div class="placeholder" data-testid="thumb-placeholder">Thumbnail on its way</div>`
      }
      <figcaption>
        <span class="file-name">${p.fileName}</span>
        <span class="muted small">${p.capturedAt ? formatTime(p.capturedAt) : 'no capture time'}</span>
        <span class="badge ${p.devicePks.length > 1 ? 'accent' : ''}" data-testid="photo-laptops"
          >${plural(p.devicePks.length, 'laptop')}</span
        >
      </figcaption>
    </figure>`;
  };
  const pager =
    pages > 1
      ? html`<nav class="pager">
          ${current > 1 ? html`<a class="button small" href="${input.basePath}?photos=${current - 1}#photos">Earlier</a>` : ''}
          <span class="muted">Page ${current} of ${pages}</span>
          ${current < pages ? html`<a class="button small" href="${input.basePath}?photos=${current + 1}#photos">Later</a>` : ''}
        </nav>`
      : '';
  return html`<section class="card" id="photos">
    <h2>Photos <span class="count">${photos.length.toLocaleString('en-GB')}</span></h2>
    <p class="muted">By capture time, from every laptop. A photo shot on one camera and copied to two laptops is one photo here.</p>
    ${
      photos.length === 0
        ? html`<p class="muted">No photo has arrived yet.</p>`
        : html`<div class="photo-grid">${shown.map(tile)}</div>
            ${pager}`
    }
  </section>`;
}

interface PersonGroup {
  groupId: number;
  name: string | null;
  doNotPublish: boolean;
  members: OrganiserPerson[];
}

function groupsOf(people: readonly OrganiserPerson[]): PersonGroup[] {
  const groups = new Map<number, PersonGroup>();
  for (const p of people) {
    const group = groups.get(p.merged.groupId) ?? {
      groupId: p.merged.groupId,
      name: p.merged.name,
      doNotPublish: p.merged.doNotPublish,
      members: [],
    };
    group.members.push(p);
    groups.set(p.merged.groupId, group);
  }
  const faces = (g: PersonGroup) => g.members.reduce((n, m) => n + m.faceCount, 0);
  // Named people first, then the most seen.
  return [...groups.values()].sort(
    (a, b) => Number(b.name !== null) - Number(a.name !== null) || faces(b) - faces(a) || a.groupId - b.groupId,
  );
}

function peopleSection(people: readonly OrganiserPerson[], basePath: string, deviceNames: ReadonlyMap<number, string>): SafeHtml {
  const byId = new Map(people.map((p) => [p.id, p]));
  const laptop = (pk: number) => deviceNames.get(pk) ?? `laptop ${pk}`;
  const who = (p: OrganiserPerson) =>
    html`<span class="who"><strong>${p.name ?? 'Unnamed'}</strong> on ${laptop(p.devicePk)} · ${plural(p.faceCount, 'face')}</span>`;
  const suggested = [
    ...new Map(
      people.flatMap((p) => p.links.filter((l) => l.state === 'suggested').map((l) => [l.id, { ...l, from: p }] as const)),
    ).values(),
  ];

  const groupCard = (g: PersonGroup) => {
    const laptops = [...new Set(g.members.map((m) => laptop(m.devicePk)))];
    return html`<li class="person" data-testid="person" data-person="${g.name ?? ''}">
      <div class="person-head">
        <strong data-testid="person-name">${g.name ?? 'Unnamed'}</strong>
        ${g.doNotPublish ? html`<span class="badge bad" data-testid="do-not-publish">Do not publish</span>` : ''}
      </div>
      <div class="muted small">
        ${plural(
          g.members.reduce((n, m) => n + m.faceCount, 0),
          'face',
        )}
        · from ${laptops.join(', ')}
      </div>
      ${g.members.length > 1 ? html`<div class="members small">${g.members.map((m) => html`<div>${who(m)}</div>`)}</div>` : ''}
    </li>`;
  };
  const linkRow = (l: (typeof suggested)[number]) => {
    const other = byId.get(l.otherPersonId);
    if (!other) return '';
    return html`<li class="link" data-testid="suggested-link">
      <div class="pair">${who(l.from)} <span class="same">same person as</span> ${who(other)}</div>
      ${l.distance !== null ? html`<span class="muted small">distance ${l.distance.toFixed(2)}</span>` : ''}
      <div class="actions">
        <form method="post" action="${basePath}/person-links/${l.id}/confirm">
          <button class="button primary small" type="submit" data-testid="confirm-link">Confirm</button>
        </form>
        <form method="post" action="${basePath}/person-links/${l.id}/reject">
          <button class="button small" type="submit" data-testid="reject-link">Reject</button>
        </form>
      </div>
    </li>`;
  };
  return html`<section class="card" id="people">
    <h2>People <span class="count">${new Set(people.map((p) => p.merged.groupId)).size.toLocaleString('en-GB')}</span></h2>
    ${
      suggested.length > 0
        ? html`<h3>Suggested links</h3>
            <p class="muted">These faces, found on different laptops, look alike. Confirm to show them as one person everywhere.</p>
            <ul class="links">
              ${suggested.map(linkRow)}
            </ul>`
        : ''
    }
    ${
      people.length === 0
        ? html`<p class="muted">No people yet: they appear once laptops have found faces.</p>`
        : html`<ul class="people">
            ${groupsOf(people).map(groupCard)}
          </ul>`
    }
  </section>`;
}

const STATE_LABEL: Record<SummaryDelivery['state'], string> = { waiting: 'Waiting', sending: 'Sending', sent: 'Sent', failed: 'Failed' };
const STATE_TONE: Record<SummaryDelivery['state'], string> = { waiting: '', sending: 'accent', sent: 'good', failed: 'bad' };

function deliveriesSection(deliveries: readonly SummaryDelivery[], basePath: string, deviceNames: ReadonlyMap<number, string>): SafeHtml {
  const row = (d: SummaryDelivery) =>
    html`<tr data-testid="delivery" data-state="${d.state}">
      <td><span class="badge ${STATE_TONE[d.state]}">${STATE_LABEL[d.state]}</span></td>
      <td class="when">
        ${d.state === 'sent' ? formatTime(d.sentAt) : formatTime(d.createdAt)}
        <div class="muted small">${d.state === 'sent' ? 'sent' : 'asked at the kiosk'}</div>
      </td>
      <td class="number">${d.photoCount.toLocaleString('en-GB')}</td>
      <td>${d.channel}</td>
      <td>${deviceNames.get(d.devicePk) ?? `laptop ${d.devicePk}`}</td>
      <td>
        ${
          d.state === 'failed'
            ? html`<div class="error-text" data-testid="delivery-error">${d.error ?? 'Failed.'}</div>
                <form class="inline" method="post" action="${basePath}/deliveries/${d.id}/address">
                  <input name="address" type="email" required placeholder="Correct email address" aria-label="Correct email address" />
                  <button class="button small" type="submit" data-testid="readdress">Send again</button>
                </form>`
            : d.attempts > 1
              ? html`<span class="muted small">${plural(d.attempts, 'attempt')}</span>`
              : ''
        }
      </td>
    </tr>`;
  return html`<section class="card" id="deliveries">
    <h2>Deliveries <span class="count">${deliveries.length.toLocaleString('en-GB')}</span></h2>
    <p class="muted">Emails attendees asked for at a kiosk. Their addresses are not shown here and are deleted once the email is sent.</p>
    ${
      deliveries.length === 0
        ? html`<p class="muted">No attendee has asked for an email yet.</p>`
        : html`<table>
            <thead>
              <tr>
                <th>State</th>
                <th>When</th>
                <th class="number">Photos</th>
                <th>Via</th>
                <th>Laptop</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${deliveries.map(row)}
            </tbody>
          </table>`
    }
  </section>`;
}
