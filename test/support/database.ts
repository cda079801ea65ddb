// A fresh SQLite database (migrations applied, sqlite-vec loaded) in a temp folder for each
// test, closed and removed afterwards.
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createRepositories, openDatabase, type Database, type Repositories } from '../../src/store/index.js';
import { makeTempDir, removeDir } from './temp-dir.js';

export interface TempDatabase {
  readonly dir: string;
  readonly db: Database;
  readonly repos: Repositories;
}

export function useTempDatabase(): TempDatabase {
  let dir = '';
  let db: Database | undefined;
  let repos: Repositories | undefined;
  beforeEach(async () => {
    dir = await makeTempDir();
    db = openDatabase(join(dir, 'shutterfind.db'));
    repos = createRepositories(db);
  });
  afterEach(async () => {
    if (db?.open) db.close();
    await removeDir(dir);
  });
  return {
    get dir() {
      return dir;
    },
    get db() {
      return db!;
    },
    get repos() {
      return repos!;
    },
  };
}
