// A damaged database under the local server: every screen gets a 503 that tells the operator
// what to do, instead of a bare "something went wrong". Real SQLite with pages overwritten.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../../src/server/http-errors.js';
import { checkpointAndClose, createRepositories, openDatabase } from '../../../src/store/index.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await makeTempDir();
  path = join(dir, 'shutterfind.db');
  const db = openDatabase(path);
  const repos = createRepositories(db);
  const event = repos.events.ensureEvent('Gala', 1);
  const add = db.prepare('INSERT INTO outbox (event_id, topic, payload_json, created_at) VALUES (?, ?, ?, ?)');
  for (let i = 0; i < 200; i++) add.run(event.id, 'photo.ready', 'x'.repeat(300), i);
  const leaf = db.prepare<[], { pageno: number }>("SELECT pageno FROM dbstat WHERE name = 'outbox' AND pagetype = 'leaf' LIMIT 1").get()!
    .pageno;
  checkpointAndClose(db);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, (leaf - 1) * 4096);
  closeSync(fd);
});
afterEach(async () => {
  await removeDir(dir);
});

describe('the local server over a damaged database', () => {
  it('answers 503 database-damaged with what the operator should do, and logs the details', async () => {
    const logged: string[] = [];
    const app = Fastify();
    installErrorHandling(app, (err) => logged.push((err as Error).message));
    app.get('/api/outbox', () => {
      const db = openDatabase(path, { readonly: true });
      try {
        return db.prepare('SELECT count(*) AS n, sum(length(payload_json)) AS bytes FROM outbox').get();
      } finally {
        db.close();
      }
    });
    app.get('/api/fine', () => ({ ok: 'yes' }));
    const damaged = await app.inject({ method: 'GET', url: '/api/outbox' });
    expect(damaged.statusCode).toBe(503);
    expect(damaged.json()).toEqual({
      error: {
        code: 'database-damaged',
        message: expect.stringMatching(/database .* is damaged.*Original photos are safe.*shutterfind repair/),
      },
    });
    expect(damaged.body).not.toContain(dir);
    expect(logged).toEqual([expect.stringMatching(/malformed/)]);
    // The server carries on.
    expect((await app.inject({ method: 'GET', url: '/api/fine' })).json()).toEqual({ ok: 'yes' });
    await app.close();
  });
});
