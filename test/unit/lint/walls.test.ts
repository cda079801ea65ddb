// The walls between folders are lint errors (eslint.config.js): these imports, written where the
// rules forbid them, must be refused, and the allowed way in must pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function problemsOf(filePath: string, code: string): Promise<{ rule: string | null; message: string; severity: number }[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message, severity: m.severity }));
}

const ERROR = 2;

describe('the walls between folders', () => {
  it('refuses a route reaching into the store: adapters go through the engine', async () => {
    const problems = await problemsOf(
      'src/server/forbidden-route.ts',
      "import { openDatabase } from '../store/index.js';\nexport const open = openDatabase;\n",
    );
    expect(problems).toContainEqual(
      expect.objectContaining({
        rule: 'import-x/no-restricted-paths',
        severity: ERROR,
        message: expect.stringContaining('src/server may not import src/store'),
      }),
    );
  });

  it('refuses the ML code knowing the job queue', async () => {
    const problems = await problemsOf(
      'src/vision/forbidden.ts',
      "import { createScheduler } from '../pipeline/index.js';\nexport const s = createScheduler;\n",
    );
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'import-x/no-restricted-paths', severity: ERROR }));
  });

  it('refuses reaching past a folder’s index.ts even where the direction is allowed', async () => {
    const problems = await problemsOf(
      'src/core/forbidden.ts',
      "import { createPhotosRepository } from '../store/photos-repository.js';\nexport const c = createPhotosRepository;\n",
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ rule: 'import-x/no-restricted-paths', message: expect.stringContaining('only through its index.ts') }),
    );
  });

  it('lets the core use a folder through its index.ts', async () => {
    const problems = await problemsOf(
      'src/core/allowed.ts',
      "import { createRepositories } from '../store/index.js';\nexport const c = createRepositories;\n",
    );
    expect(problems.filter((p) => p.rule === 'import-x/no-restricted-paths')).toEqual([]);
  });

  it('keeps SQLite in the store, HTTP in the server and chokidar in ingest', async () => {
    const sqlite = await problemsOf('src/search/forbidden.ts', "import Database from 'better-sqlite3';\nexport const d = Database;\n");
    expect(sqlite).toContainEqual(
      expect.objectContaining({
        rule: 'no-restricted-imports',
        severity: ERROR,
        message: expect.stringContaining('all SQL lives in src/store'),
      }),
    );
    const http = await problemsOf('src/kiosk/forbidden.ts', "import Fastify from 'fastify';\nexport const f = Fastify;\n");
    expect(http).toContainEqual(expect.objectContaining({ rule: 'no-restricted-imports', severity: ERROR }));
    const watcher = await problemsOf('src/photo/forbidden.ts', "import { watch } from 'chokidar';\nexport const w = watch;\n");
    expect(watcher).toContainEqual(expect.objectContaining({ rule: 'no-restricted-imports', severity: ERROR }));
  });

  it('allows electron nowhere outside the desktop shell’s main process', async () => {
    const problems = await problemsOf('src/cli/commands/forbidden.ts', "import { app } from 'electron';\nexport const a = app;\n");
    expect(problems).toContainEqual(
      expect.objectContaining({ rule: 'no-restricted-imports', severity: ERROR, message: expect.stringContaining('src/main') }),
    );
  });

  it('keeps worker threads to the worker side of a photo', async () => {
    const problems = await problemsOf(
      'workers/forbidden-worker.ts',
      "import { createRepositories } from '../src/store/index.js';\nexport const c = createRepositories;\n",
    );
    expect(problems).toContainEqual(expect.objectContaining({ rule: 'import-x/no-restricted-paths', severity: ERROR }));
  });
});
