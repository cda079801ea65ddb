import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings, loadSettingsFile, resolveDataDir, resolveSettings, mediaRelativePath } from '../../../src/config/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('settings', () => {
  it('defaults to 2048 px previews, 400 px thumbnails and one worker per core', () => {
    const s = defaultSettings();
    expect(s.media).toMatchObject({ previewLongSide: 2048, thumbnailLongSide: 400 });
    expect(s.pipeline.workers).toBe(0);
    expect(s.server.host).toBe('127.0.0.1');
  });

  it('keeps defaults for everything a settings file does not mention', () => {
    const s = resolveSettings({ ingest: { truncatedAfterMs: 120_000 } });
    expect(s.ingest.truncatedAfterMs).toBe(120_000);
    expect(s.ingest.stableForMs).toBe(defaultSettings().ingest.stableForMs);
  });

  it('treats a missing settings file as no overrides', () => {
    expect(loadSettingsFile(join(dir, 'settings.json'))).toEqual({});
  });

  it('names the file and the problem when settings.json is broken', () => {
    const path = join(dir, 'settings.json');
    writeFileSync(path, '{ "pipeline": { "workers": ');
    expect(() => loadSettingsFile(path)).toThrow(/settings\.json is not valid JSON.*fix or delete it/);
    writeFileSync(path, JSON.stringify({ pipeline: { workers: -3 } }));
    expect(() => loadSettingsFile(path)).toThrow(/settings\.json is invalid[\s\S]*workers/);
  });
});

describe('the data dir', () => {
  it('comes from --data-dir first, then SHUTTERFIND_DATA_DIR, then the OS app-data folder', () => {
    expect(resolveDataDir('/flag', { SHUTTERFIND_DATA_DIR: '/env' })).toBe('/flag');
    expect(resolveDataDir(undefined, { SHUTTERFIND_DATA_DIR: '/env' })).toBe('/env');
    expect(resolveDataDir(undefined, {})).toMatch(/Shutterfind/);
  });

  it('names media by content hash, fanned out by its first two hex digits', () => {
    expect(mediaRelativePath('previews', 'ab12cd')).toBe(join('media', 'previews', 'ab', 'ab12cd.jpg'));
    expect(mediaRelativePath('thumbnails', 'ab12cd')).toBe(join('media', 'thumbnails', 'ab', 'ab12cd.webp'));
  });
});
