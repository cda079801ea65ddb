// The organiser export from the console: started over the operator API, its progress and end
// arriving as live `export` events on the same stream the console listens to, the files on disk.
import { existsSync } from 'node:fs';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, ExportStatus } from '../../../src/api/index.js';
import { watchLiveEvents } from '../../support/live-events.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';
import { jsonBody, SAMPLES, startServedEvent, waitForPhotos, type ServedEvent } from './served-event.js';

let ev: ServedEvent;
let out: string;

beforeAll(async () => {
  ev = await startServedEvent();
  out = await makeTempDir('shutterfind-export-');
  for (const p of SAMPLES.slice(0, 3)) await copyFile(p, join(ev.watchDir, p.split('/').pop()!));
  await waitForPhotos(
    ev,
    SAMPLES.slice(0, 3).map((p) => p.split('/').pop()!),
  );
  await ev.engine.whenIdle(ev.eventId);
}, 180_000);

afterAll(async () => {
  await ev?.close();
  await removeDir(out);
});

describe('exporting from the console', () => {
  it('starts an export, reports its progress live and ends with a summary', async () => {
    const live = await watchLiveEvents(
      (signal) => ev.operator('/api/live', { signal }),
      'export',
      (e) => e.export.state !== 'running',
    );
    try {
      const to = join(out, 'stick');
      const started = await ev.operatorJson<ExportStatus>('/api/exports', {
        method: 'POST',
        ...jsonBody({ to, as: 'folders', files: 'previews' }),
      });
      expect(started).toMatchObject({ state: 'running', request: { to, as: 'folders', files: 'previews' } });
      const end = (await live.awaited).export;
      expect(end.state).toBe('done');
      expect(end.summary).toMatchObject({ photos: 3, written: 3, destination: to });
      expect(live.seen.some(({ export: e }) => e.progress?.done === 3 && e.progress.total === 3)).toBe(true);
      expect((await readdir(join(to, 'All photos'))).sort()).toEqual(['sample1.jpg', 'sample2.jpg', 'sample3.jpg']);
      expect(existsSync(join(to, 'manifest.csv'))).toBe(true);
      const current = await ev.operatorJson<{ export: ExportStatus }>('/api/exports/current');
      expect(current.export).toMatchObject({ id: started.id, state: 'done' });
    } finally {
      live.stop();
    }
  }, 60_000);

  it('refuses an export of someone who is not in the event, saying who is', async () => {
    const res = await ev.operator('/api/exports', { method: 'POST', ...jsonBody({ to: join(out, 'x'), people: ['Nobody'] }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiError).error.message).toMatch(/No person "Nobody" in event "Garden party"/);
  });

  it("watermarks with the event's own text, and says to set one when the event has none", async () => {
    await ev.operator('/api/settings', { method: 'PATCH', ...jsonBody({ watermark: { text: '' } }) });
    const refused = await ev.operator('/api/exports', { method: 'POST', ...jsonBody({ to: join(out, 'marked'), watermark: true }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ApiError).error.message).toMatch(/no watermark text: set one in Settings/);
  });

  it('refuses a request without a destination', async () => {
    const res = await ev.operator('/api/exports', { method: 'POST', ...jsonBody({ as: 'folders' }) });
    expect(res.status).toBe(400);
  });
});
