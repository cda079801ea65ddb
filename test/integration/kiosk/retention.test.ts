// Selfie retention is the engine's, not the HTTP server's: whatever opens the engine (here a
// one-shot `shutterfind ingest`, with no server at all) deletes kept selfie data past its time.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, openDatabase } from '../../../src/store/index.js';
import { runCli } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;

beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await removeDir(root);
});

const DAY = 86_400_000;

describe('selfie retention without a server', () => {
  it('deletes a kept selfie past its retention, and ends an abandoned session, when only `ingest` opens the engine', async () => {
    const dataDir = join(root, 'data');
    const empty = join(root, 'empty-card');
    await mkdir(empty, { recursive: true });
    // The event exists (a first, empty import), then two attendees' data is left in it.
    expect((await runCli(['ingest', empty, '--event', 'gala', '--data-dir', dataDir])).code).toBe(0);
    const now = Date.now();
    const embedding = new Float32Array(128).fill(0.088);
    {
      const db = openDatabase(join(dataDir, 'shutterfind.db'));
      const repos = createRepositories(db);
      const event = repos.events.findEventByName('gala')!;
      const kiosk = repos.kiosks.addDevice(event.id, 'Entrance kiosk', 'device-token-hash', now - 40 * DAY);
      // Opted in 31 days ago with a 30-day retention: its time is up.
      repos.kiosks.startSession('expired-follower', event.id, kiosk, now - 31 * DAY, now - 31 * DAY + 60_000);
      repos.kiosks.recordMatches('expired-follower', embedding, []);
      repos.kiosks.recordTakeHome('expired-follower', true, 'email:ana@example.com');
      repos.kiosks.recordChosenFaces('expired-follower', [{ photoId: 1, box: [10, 10, 80, 90] }]);
      repos.kiosks.endSession('expired-follower', now - DAY, now - 31 * DAY);
      // Opted in yesterday: kept.
      repos.kiosks.startSession('recent-follower', event.id, kiosk, now - DAY, now - DAY + 60_000);
      repos.kiosks.recordMatches('recent-follower', embedding, []);
      repos.kiosks.recordTakeHome('recent-follower', true, 'email:ben@example.com');
      repos.kiosks.recordChosenFaces('recent-follower', [{ photoId: 2, box: [20, 10, 80, 90] }]);
      repos.kiosks.endSession('recent-follower', now + 29 * DAY, now - DAY);
      // A kiosk that crashed mid-session an hour ago: its selfie must not outlive the session.
      repos.kiosks.startSession('abandoned', event.id, kiosk, now - 3_600_000, now - 3_000_000);
      repos.kiosks.recordMatches('abandoned', embedding, []);
      db.close();
    }

    const ingest = await runCli(['ingest', empty, '--event', 'gala', '--data-dir', dataDir]);
    expect(ingest.code, ingest.stderr).toBe(0);

    const db = openDatabase(join(dataDir, 'shutterfind.db'), { readonly: true });
    try {
      const repos = createRepositories(db);
      expect(repos.kiosks.getSession('expired-follower')?.selfieEmbedding).toBeNull();
      expect(repos.kiosks.getSession('recent-follower')?.selfieEmbedding).not.toBeNull();
      // Her faces in the "Maybe you?" photos she took home go with her description.
      const chosen = db.prepare<[], { id: string; kept: 0 | 1 }>(
        "SELECT id, chosen_faces_json IS NOT NULL AS kept FROM kiosk_sessions WHERE id LIKE '%-follower' ORDER BY id",
      );
      expect(chosen.all()).toEqual([
        { id: 'expired-follower', kept: 0 },
        { id: 'recent-follower', kept: 1 },
      ]);
      const abandoned = repos.kiosks.getSession('abandoned')!;
      expect(abandoned.state).toBe('ended');
      expect(abandoned.selfieEmbedding).toBeNull();
    } finally {
      db.close();
    }
  });
});
