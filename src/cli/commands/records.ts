// `shutterfind records`, `do-not-publish` and `publish`: the organiser's records of an event
// (who asked not to be published; which photos went to which kiosk visit, with consent and
// contact), and marking a person "do not publish" or publishing them again.
import { openReader, type DeliveryRecord, type OptOutRecord } from '../../core/index.js';
import type { CommandContext } from '../context.js';
import { NoSuchPersonError, withEngineEdits } from '../engine-access.js';
import { human, UserFacingError } from '../output.js';

export type RecordsKind = 'opt-outs' | 'deliveries';

export interface OptOutRow {
  id: number;
  source: 'kiosk' | 'organiser';
  person: number | null;
  name: string | null;
  faceDescriptorKept: boolean;
  kioskVisit: string | null;
  note: string | null;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  photos: number;
}

export type RecordsReport =
  { event: string; kind: 'opt-outs'; records: OptOutRow[] } | { event: string; kind: 'deliveries'; records: DeliveryRecord[] };

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const toRow = (r: OptOutRecord): OptOutRow => ({
  id: r.id,
  source: r.source,
  person: r.personId,
  name: r.currentName ?? r.personName,
  faceDescriptorKept: r.faceEmbedding !== null,
  kioskVisit: r.kioskSessionId,
  note: r.note,
  createdAt: new Date(r.createdAt).toISOString(),
  revokedAt: iso(r.revokedAt),
  revokedBy: r.revokedBy,
  revokeReason: r.revokeReason,
  photos: r.photoCount,
});

export async function runRecords(ctx: CommandContext, eventName: string, kind: RecordsKind): Promise<RecordsReport> {
  const reader = await openReader(ctx.dataDir, ctx.log);
  try {
    const event = reader.catalogue.events.named(eventName);
    return kind === 'opt-outs'
      ? { event: event.name, kind, records: reader.records.optOuts(event.id).map(toRow) }
      : { event: event.name, kind, records: reader.records.deliveries(event.id) };
  } finally {
    await reader.close();
  }
}

/**
 * One CSV field: quoted when it holds a separator, quote or line break; a leading = + - @ gets a
 * quote mark so a spreadsheet shows a name like "=HYPERLINK(…)" instead of running it.
 */
function csvField(value: string | number | boolean | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csv = (header: string[], rows: (string | number | boolean | null)[][]): string =>
  [header.join(','), ...rows.map((r) => r.map(csvField).join(','))].join('\r\n') + '\r\n';

/** The records as a CSV file a spreadsheet opens (one row per record; a visit's deliveries in one cell). */
export function recordsCsv(r: RecordsReport): string {
  if (r.kind === 'opt-outs') {
    return csv(
      [
        'id',
        'source',
        'person',
        'name',
        'face_descriptor_kept',
        'kiosk_visit',
        'note',
        'created_at',
        'revoked_at',
        'revoked_by',
        'revoke_reason',
        'photos',
      ],
      r.records.map((o) => [
        o.id,
        o.source,
        o.person,
        o.name,
        o.faceDescriptorKept,
        o.kioskVisit,
        o.note,
        o.createdAt,
        o.revokedAt,
        o.revokedBy,
        o.revokeReason,
        o.photos,
      ]),
    );
  }
  return csv(
    [
      'visit',
      'kiosk',
      'consented_at',
      'ended_at',
      'photos_found',
      'photos_taken_home',
      'gallery_expires_at',
      'new_photos_consent',
      'follow_until',
      'selfie_descriptor',
      'contact',
      'contact_shown',
      'deliveries',
    ],
    r.records.map((d) => [
      d.visit,
      d.kiosk,
      d.consentedAt,
      d.endedAt,
      d.photosFound,
      d.photosTakenHome.join(' '),
      d.galleryExpiresAt,
      d.newPhotosConsent,
      d.followUntil,
      d.selfieDescriptor,
      d.contact,
      d.contactShown,
      d.deliveries.map((x) => `${x.channel} ${x.to} ${x.state} (${x.photos.length} photos)`).join('; '),
    ]),
  );
}

export function formatRecords(r: RecordsReport): string {
  if (r.kind === 'opt-outs') {
    if (!r.records.length) return human`Event "${r.event}": nobody has asked not to be published.`;
    const lines = [human`Event "${r.event}": ${r.records.length} "do not publish" record(s)`];
    for (const o of r.records) {
      const who =
        o.person !== null ? human`person #${o.person}${o.name ? human` ${o.name}` : ''}` : 'an attendee’s face (selfie descriptor)';
      const state = o.revokedAt
        ? human`revoked ${o.revokedAt} by ${o.revokedBy ?? '?'}${o.revokeReason ? human`: ${o.revokeReason}` : ''}`
        : human`hides a face in ${o.photos} photo(s)`;
      lines.push(human`  #${o.id}  ${o.source}  ${o.createdAt}  ${who}  ${state}${o.note ? human`  note: ${o.note}` : ''}`);
    }
    return lines.join('\n');
  }
  if (!r.records.length) return human`Event "${r.event}": no kiosk visits yet.`;
  const lines = [human`Event "${r.event}": ${r.records.length} kiosk visit(s)`];
  for (const d of r.records) {
    lines.push(
      human`  ${d.consentedAt}  ${d.kiosk ?? '(kiosk removed)'}  ${d.photosTakenHome.length} of ${d.photosFound} photo(s) taken home` +
        human`${d.newPhotosConsent ? '  new photos: yes' : ''}  contact ${d.contact}${d.contactShown ? human` (${d.contactShown})` : ''}  selfie ${d.selfieDescriptor}`,
    );
    for (const x of d.deliveries) lines.push(human`      ${x.channel} to ${x.to}: ${x.state}, ${x.photos.length} photo(s)`);
  }
  return lines.join('\n');
}

export interface MarkReport {
  event: string;
  person: number;
  doNotPublish: boolean;
  /** Marking: photos in which the person's face is hidden now. Publishing: records revoked. */
  photos?: number;
  revoked?: number;
}

async function onPerson<T>(ctx: CommandContext, eventName: string, personId: number, edit: Parameters<typeof withEngineEdits<T>>[1]) {
  try {
    return await withEngineEdits(ctx, edit);
  } catch (err) {
    if (err instanceof NoSuchPersonError) {
      throw new UserFacingError(
        `Event "${eventName}" has no person ${personId}; \`shutterfind people --event "${eventName}"\` lists them.`,
      );
    }
    throw err;
  }
}

export async function runDoNotPublish(ctx: CommandContext, eventName: string, personId: number, note: string | null): Promise<MarkReport> {
  return onPerson(ctx, eventName, personId, async (edits) => {
    const r = await edits.markDoNotPublish(eventName, personId, note);
    return { event: eventName, person: personId, doNotPublish: true, photos: r.photoCount };
  });
}

export async function runPublish(ctx: CommandContext, eventName: string, personId: number, reason: string | null): Promise<MarkReport> {
  return onPerson(ctx, eventName, personId, async (edits) => {
    const revoked = await edits.publishPerson(eventName, personId, reason);
    return { event: eventName, person: personId, doNotPublish: false, revoked };
  });
}

export function formatMark(r: MarkReport): string {
  return r.doNotPublish
    ? human`Person #${r.person} in "${r.event}" is not published: their face is blurred in ${r.photos ?? 0} photo(s) and in every photo of them still to come`
    : r.revoked
      ? human`Person #${r.person} in "${r.event}" is published again (${r.revoked} opt-out record(s) revoked, kept in \`shutterfind records --opt-outs\`)`
      : human`Person #${r.person} in "${r.event}" had no "do not publish" in force: nothing changed`;
}
