import { describe, expect, it } from 'vitest';
import { checkFirstRunSetup, type PathFacts } from '../../../src/main/first-run-setup.js';

const disk: Record<string, PathFacts> = {
  '/Users/ana/Tether': { kind: 'folder', writable: true },
  '/Users/ana/Card': { kind: 'folder', writable: false },
  '/Users/ana/notes.txt': { kind: 'file' },
  '/Users/ana/Shutterfind': { kind: 'missing', parentWritable: true },
  '/System/Shutterfind': { kind: 'missing', parentWritable: false },
  '/Volumes/ReadOnly': { kind: 'folder', writable: false },
};
const facts = (p: string): PathFacts => disk[p] ?? { kind: 'missing', parentWritable: true };
const good = { eventName: 'Smith wedding', folders: ['/Users/ana/Tether', '/Users/ana/Card'], dataDir: '/Users/ana/Shutterfind' };

describe('the first-run setup', () => {
  it('accepts an event name, existing folders (read-only is fine) and a data folder that can be created', () => {
    expect(checkFirstRunSetup(good, facts)).toEqual({ ok: true, setup: good });
  });

  it('trims the event name', () => {
    const r = checkFirstRunSetup({ ...good, eventName: '  Gala  ' }, facts);
    expect(r.ok && r.setup.eventName).toBe('Gala');
  });

  it('accepts no watched folder yet (they can be added from the console)', () => {
    expect(checkFirstRunSetup({ ...good, folders: [] }, facts).ok).toBe(true);
  });

  it.each<[string, object, string, RegExp]>([
    ['an empty event name', { eventName: '   ' }, 'eventName', /Give the event a name/],
    ['a folder that does not exist', { folders: ['/Users/ana/Gone'] }, 'folders.0', /does not exist/],
    ['a file instead of a folder', { folders: ['/Users/ana/notes.txt'] }, 'folders.0', /is a file/],
    ['a relative folder', { folders: ['Tether'] }, 'folders.0', /not a full path/],
    ['a folder listed twice', { folders: ['/Users/ana/Tether', '/Users/ana/Tether'] }, 'folders.1', /listed twice/],
    ['a data folder that cannot be written', { dataDir: '/Volumes/ReadOnly' }, 'dataDir', /cannot be written/],
    ['a data folder that cannot be created', { dataDir: '/System/Shutterfind' }, 'dataDir', /cannot be created/],
    ['a data folder inside a watched folder', { dataDir: '/Users/ana/Tether/data' }, 'dataDir', /apart from the watched folders/],
    ['a missing data folder', { dataDir: '' }, 'dataDir', /Choose where Shutterfind keeps its data/],
    ['an unknown field', { port: 80 }, 'setup', /Unrecognized/i],
  ])('refuses %s, naming the field and what to do', (_what, change, field, message) => {
    const r = checkFirstRunSetup({ ...good, ...change }, facts);
    expect(r.ok).toBe(false);
    const problem = !r.ok ? r.problems.find((p) => p.field === field) : undefined;
    expect(problem?.message).toMatch(message);
  });
});
