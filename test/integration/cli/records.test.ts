// The organiser's records from the command line: `do-not-publish` and `publish` mark a person
// and keep every change on record; `records --opt-outs` and `--deliveries` list what was asked
// and what went to which kiosk visit, as text, JSON or CSV, with contacts masked.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../../src/cli/context.js';
import {
  formatRecords,
  recordsCsv,
  runDoNotPublish,
  runPublish,
  runRecords,
  type RecordsReport,
} from '../../../src/cli/commands/records.js';
import { UserFacingError } from '../../../src/cli/output.js';
import { runCli } from '../../support/cli.js';
import { dataDirLayout } from '../../../src/config/index.js';
import { createLogger } from '../../../src/core/index.js';
import { createRepositories, openDatabase } from '../../../src/store/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

const EVENT = 'Summer fair';
const T = Date.UTC(2024, 6, 6, 14, 0, 0);
const MINUTE = 60_000;

let root: string;
let ctx: CommandContext;
let anna: number;
let sessionId: string;

beforeAll(async () => {
  root = await makeTempDir();
  const dataDir = join(root, 'data');
  ctx = { dataDir, json: true, log: createLogger({ logDir: null, terminal: 'none', level: 'warn' }) };
  await mkdir(dataDir, { recursive: true });
  // The rows a day at the fair leaves: a named guest, a kiosk and one attendee's visit.
  const db = openDatabase(dataDirLayout(dataDir).database);
  const repos = createRepositories(db);
  const event = repos.events.ensureEvent(EVENT, T);
  anna = repos.persons.createPerson(event.id, T);
  repos.persons.renamePerson(event.id, anna, 'Anna Smith', T);
  const kioskId = repos.kiosks.addDevice(event.id, 'Entrance kiosk', 'token-hash', T);
  sessionId = 'visit-000000000001';
  repos.kiosks.startSession(sessionId, event.id, kioskId, T + 10 * MINUTE, T + 25 * MINUTE);
  repos.kiosks.recordMatches(sessionId, new Float32Array(128).fill(0.1), [11, 12, 13]);
  repos.galleries.addLink('link-hash', event.id, sessionId, [11, 12], T + 12 * MINUTE, T + 48 * 60 * MINUTE);
  repos.galleries.saveSessionDelivery(event.id, sessionId, 'email', 'guest@example.com', [11, 12], T + 12 * MINUTE);
  repos.kiosks.recordTakeHome(sessionId, false, 'email:guest@example.com');
  repos.kiosks.endSession(sessionId, null, T + 13 * MINUTE);
  db.close();
});

afterAll(async () => {
  await removeDir(root);
});

describe('shutterfind do-not-publish / publish', () => {
  it('marks a person and says their face is blurred from now on', async () => {
    const r = await runDoNotPublish(ctx, EVENT, anna, 'asked by email');
    expect(r).toEqual({ event: EVENT, person: anna, doNotPublish: true, photos: 0 });
  });

  it('lists the mark as the organiser’s, with the note', async () => {
    const r = await runRecords(ctx, EVENT, 'opt-outs');
    expect(r.kind).toBe('opt-outs');
    expect(r.records).toMatchObject([{ source: 'organiser', person: anna, name: 'Anna Smith', note: 'asked by email', revokedAt: null }]);
    expect(formatRecords(r)).toMatch(/organiser .* person #\d+ Anna Smith {2}hides a face in 0 photo\(s\) {2}note: asked by email/);
  });

  it('publishes the person again and keeps the revoked mark, with who and why', async () => {
    expect(await runPublish(ctx, EVENT, anna, 'changed her mind')).toMatchObject({ doNotPublish: false, revoked: 1 });
    const r = await runRecords(ctx, EVENT, 'opt-outs');
    expect(r.records).toMatchObject([{ person: anna, revokedBy: 'organiser', revokeReason: 'changed her mind' }]);
    expect(formatRecords(r)).toContain('revoked');
  });

  it('names the command that lists people when the person does not exist', async () => {
    const err = await runDoNotPublish(ctx, EVENT, 9999, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as Error).message).toBe(`Event "${EVENT}" has no person 9999; \`shutterfind people --event "${EVENT}"\` lists them.`);
  });
});

describe('shutterfind records --deliveries', () => {
  let r: RecordsReport;
  beforeAll(async () => {
    r = await runRecords(ctx, EVENT, 'deliveries');
  });

  it('shows each visit’s consent time, what it found and what went home, and that the selfie was deleted', () => {
    expect(r.records).toEqual([
      {
        visit: sessionId,
        kiosk: 'Entrance kiosk',
        consentedAt: new Date(T + 10 * MINUTE).toISOString(),
        endedAt: new Date(T + 13 * MINUTE).toISOString(),
        photosFound: 3,
        photosTakenHome: [11, 12],
        galleryExpiresAt: new Date(T + 48 * 60 * MINUTE).toISOString(),
        newPhotosConsent: false,
        followUntil: null,
        selfieDescriptor: 'deleted',
        contact: 'kept',
        contactShown: 'g•••@example.com',
        deliveries: [
          {
            id: 1,
            channel: 'email',
            to: 'g•••@example.com',
            state: 'waiting',
            photos: [11, 12],
            createdAt: new Date(T + 12 * MINUTE).toISOString(),
            sentAt: null,
          },
        ],
      },
    ]);
  });

  it('never prints the full contact, in text or CSV', () => {
    expect(formatRecords(r)).not.toContain('guest@');
    expect(recordsCsv(r)).not.toContain('guest@');
  });

  it('writes a CSV a spreadsheet opens: a header and one row per visit', () => {
    const lines = recordsCsv(r).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'visit,kiosk,consented_at,ended_at,photos_found,photos_taken_home,gallery_expires_at,new_photos_consent,follow_until,selfie_descriptor,contact,contact_shown,deliveries',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`${sessionId},Entrance kiosk,${new Date(T + 10 * MINUTE).toISOString()}`);
    expect(lines[1]).toContain(',11 12,');
  });
});

describe('the shutterfind command', () => {
  it('prints the deliveries as CSV on stdout, ready to redirect to a file', async () => {
    const r = await runCli(['records', '--event', EVENT, '--deliveries', '--csv', '--data-dir', ctx.dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split(/\r?\n/);
    expect(lines[0]).toMatch(/^visit,kiosk,consented_at,/);
    expect(lines).toHaveLength(2);
  });

  it('refuses --opt-outs and --deliveries together', async () => {
    const r = await runCli(['records', '--event', EVENT, '--opt-outs', '--deliveries', '--data-dir', ctx.dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Give --opt-outs or --deliveries, not both.');
  });
});
