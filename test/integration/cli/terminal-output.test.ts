// File names come from whoever writes into the hot folder: the human output of every command
// must show them, never act on them.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../../src/cli/commands/ingest.js';
import { parseJsonOutput, runCli } from '../../support/cli.js';
import { WITHOUT_FACES, writeSettings } from '../../support/settings.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

// Clears the screen, homes the cursor, rings the bell, and starts a forged line of output.
const HOSTILE_NAME = 'IMG\u001b[2J\u001b[H\u0007\n    ✗ nothing failed, all fine.jpg';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

let root: string;
let dataDir: string;
let card: string;

beforeAll(async () => {
  root = await makeTempDir();
  card = join(root, 'card');
  dataDir = join(root, 'data');
  writeSettings(dataDir, WITHOUT_FACES);
  await mkdir(card);
  await writeFile(join(card, HOSTILE_NAME), 'not a photo at all');
});
afterAll(async () => {
  await removeDir(root);
});

const ESCAPED_NAME = 'IMG\\e[2J\\e[H\\x07\\n    ✗ nothing failed, all fine.jpg';

/** Every line that mentions the hostile file (its path, its error) shows the whole name, escaped. */
function expectNameEscaped(output: string): void {
  const lines = output.split('\n').filter((l) => l.includes('IMG'));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) expect(line).toContain(ESCAPED_NAME);
  expect(output).not.toMatch(CONTROL);
  // No forged line starting with the text that followed the newline.
  expect(output).not.toMatch(/^\s*✗ nothing failed/m);
}

describe('human output with hostile file names', () => {
  it('prints a file name with escape sequences and newlines as visible escapes in ingest and status', async () => {
    const ingest = await runCli(['ingest', card, '--event', 'gala', '--data-dir', dataDir]);
    expect(ingest.code, ingest.stderr).toBe(0);
    expectNameEscaped(ingest.stdout);

    const status = await runCli(['status', '--event', 'gala', '--data-dir', dataDir]);
    expect(status.code, status.stderr).toBe(0);
    expectNameEscaped(status.stdout);
  });

  it('keeps the real name in --json output, where JSON itself escapes it', async () => {
    const again = await runCli(['ingest', card, '--event', 'gala2', '--data-dir', dataDir, '--json']);
    const summary = parseJsonOutput<IngestSummary>(again);
    expect(summary.failed.map((f) => f.path)).toEqual([join(card, HOSTILE_NAME)]);
  });
});
