// One writer: while `serve` owns the data dir, commands that edit an event ask it over its local
// API (with the operator token it keeps in the data dir) instead of writing from a second process;
// commands that only read open the database read-only beside it. What the running console shows
// changes at once, and no edit is lost or refused with SQLITE_BUSY.
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeopleList } from '../../../src/api/index.js';
import { samplePhotoPaths } from '../../fixtures/camera-photos.js';
import { parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';

let root: string;
let dataDir: string;
let serve: ChildProcess;
let serveLog = '';
let url: string;
let token: string;

const consolePeople = async (): Promise<PeopleList['people']> => {
  const response = await fetch(`${url}/api/people?event=gala`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as PeopleList).people;
};

beforeAll(async () => {
  root = await makeTempDir();
  dataDir = join(root, 'data');
  const hot = join(root, 'hot');
  await mkdir(hot);
  const samples = samplePhotoPaths();
  serve = startCli(['serve', '--event', 'gala', '--watch', hot, '--data-dir', dataDir, '--port', '0']);
  serve.stderr!.on('data', (d: Buffer) => (serveLog += d.toString()));
  url = await waitFor(() => /serving event "gala" at (http:\/\/127\.0\.0\.1:\d+)/.exec(serveLog)?.[1], 'the serving line', 60_000);
  token = (JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8')) as { operatorToken: string }).operatorToken;
  for (const [i, photo] of samples.entries()) await copyFile(photo, join(hot, `IMG_${String(i + 1).padStart(4, '0')}.JPG`));
  await waitFor(
    async () => {
      const health = (await (await fetch(`${url}/health`)).json()) as { photos: { ready: number } | null };
      return health.photos?.ready === samples.length ? true : undefined;
    },
    'every sample photo ready',
    240_000,
  );
  await waitFor(async () => ((await consolePeople()).length >= 3 ? true : undefined), 'people grouped', 30_000);
}, 360_000);

afterAll(async () => {
  if (serve && serve.exitCode === null) {
    const exited = new Promise((resolve) => serve.on('exit', resolve));
    serve.kill('SIGTERM');
    await exited;
  }
  await removeDir(root);
});

describe('commands beside a running serve', () => {
  it('reads people with a read-only look while serve runs', async () => {
    const listed = parseJsonOutput<{ persons: { id: number }[] }>(
      await runCli(['people', '--event', 'gala', '--json', '--data-dir', dataDir]),
    );
    expect(listed.persons.map((p) => p.id).sort()).toEqual((await consolePeople()).map((p) => p.id).sort());
    const status = await runCli(['status', '--event', 'gala', '--json', '--data-dir', dataDir]);
    expect(status.code, status.stderr).toBe(0);
  });

  it('renames a person through the running serve: the console shows the name at once', async () => {
    const [first] = await consolePeople();
    const renamed = await runCli([
      'rename-person',
      '--event',
      'gala',
      '--person',
      String(first!.id),
      '--name',
      'Ana Lima',
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(renamed.code, renamed.stderr).toBe(0);
    expect((await consolePeople()).find((p) => p.id === first!.id)?.name).toBe('Ana Lima');
  });

  it('re-clusters and renames at the same time without SQLITE_BUSY or a lost edit', async () => {
    const people = await consolePeople();
    const second = people.find((p) => p.name === null)!;
    const [recluster, rename] = await Promise.all([
      runCli(['recluster', '--event', 'gala', '--json', '--data-dir', dataDir]),
      runCli(['rename-person', '--event', 'gala', '--person', String(second.id), '--name', 'Ben', '--json', '--data-dir', dataDir]),
    ]);
    expect(recluster.code, recluster.stderr).toBe(0);
    expect(rename.code, rename.stderr).toBe(0);
    const summary = parseJsonOutput<{ persons: number; kept: number }>(recluster);
    expect(summary.persons).toBeGreaterThanOrEqual(3);
    // Both names survive the re-cluster (named persons keep their ids and names).
    const after = await consolePeople();
    expect(after.find((p) => p.name === 'Ana Lima')).toBeDefined();
    expect(after.find((p) => p.name === 'Ben')).toBeDefined();
    expect(`${recluster.stderr}${rename.stderr}${serveLog}`).not.toMatch(/SQLITE_BUSY|database is locked/);
  });

  it('regroups bursts through the running serve', async () => {
    const regrouped = await runCli(['bursts', '--event', 'gala', '--regroup', '--json', '--data-dir', dataDir]);
    expect(regrouped.code, regrouped.stderr).toBe(0);
  });

  it('queues a faces re-run on the running serve, which processes it while the names stay', async () => {
    const reprocess = await runCli(['reprocess', '--event', 'gala', '--stage', 'faces', '--json', '--data-dir', dataDir]);
    expect(reprocess.code, reprocess.stderr).toBe(0);
    const summary = parseJsonOutput<{ via: string; photos: number }>(reprocess);
    expect(summary).toMatchObject({ via: 'serve', photos: samplePhotoPaths().length });
    await waitFor(
      async () => {
        const health = (await (await fetch(`${url}/health`)).json()) as { queue: { depth: number } | null };
        return health.queue?.depth === 0 ? true : undefined;
      },
      'the faces stage to run again on every photo',
      240_000,
    );
    const names = (await consolePeople()).map((p) => p.name);
    expect(names).toContain('Ana Lima');
    expect(names).toContain('Ben');
  });

  it('tells an import to wait rather than write beside the running serve', async () => {
    const imported = await runCli(['ingest', join(root, 'hot'), '--event', 'gala', '--data-dir', dataDir]);
    expect(imported.code).not.toBe(0);
    expect(imported.stderr).toMatch(/Another Shutterfind \(pid \d+\) is using the data dir/);
  });
});
