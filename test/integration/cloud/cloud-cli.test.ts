// `shutterfind cloud …` as an organiser runs it (the compiled CLI): create an event, serve the
// endpoint, enrol a laptop with the printed join code, revoke it, stop cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOutput, parseJsonOutput, runCli, startCli } from '../../support/cli.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { makeTempDir, removeDir, waitFor } from '../../support/temp-dir.js';
import { call, freePort, photoPuts, postBatch } from './cloud-harness.js';

let postgres: TestPostgres;
let dir: string;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  dir = await makeTempDir('shutterfind-cloud-cli-');
});
afterAll(async () => {
  await postgres?.stop();
  await removeDir(dir);
});

interface Created {
  cloudEventId: string;
  joinCode: string;
  organiserToken: string;
  organiserPage: string;
}

describe('shutterfind cloud', () => {
  it('creates an event, serves it, and lets a laptop enrol with the printed join code until it is revoked', async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const common = ['--data-dir', `${dir}/data`, '--database', databaseUrl];
    const createdRun = await runCli([
      'cloud',
      'create-event',
      ...common,
      '--name',
      'Harbour Gala',
      '--face-search',
      '--public-url',
      publicUrl,
      '--json',
    ]);
    expect(createdRun.code, createdRun.stderr).toBe(0);
    const created = parseJsonOutput<Created>(createdRun);
    expect(created.joinCode).toMatch(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    expect(created.organiserPage).toBe(`${publicUrl}/organiser/${created.cloudEventId}`);

    const serve = startCli(['cloud', 'serve', ...common, '--blobs', `${dir}/blobs`, '--port', String(port)]);
    const served = collectOutput(serve, 120_000);
    try {
      await waitFor(async () => (await fetch(`${publicUrl}/healthz`).catch(() => null))?.ok, 'the cloud endpoint to answer', 60_000);
      const enrolled = await call(publicUrl, 'POST', '/sync/v1/enrol', {
        body: { joinCode: created.joinCode, deviceId: 'laptop-cli-01', deviceName: 'Alpha' },
      });
      expect(enrolled.status).toBe(200);
      expect(enrolled.body).toMatchObject({
        cloudEventId: created.cloudEventId,
        eventName: 'Harbour Gala',
        cloudFaceSearch: true,
        publicBaseUrl: publicUrl,
      });
      const token = (enrolled.body as { deviceToken: string }).deviceToken;
      expect((await postBatch(publicUrl, token, 'cli-batch-1', photoPuts(1, 3, 'laptop-cli-01'))).status).toBe(200);

      const revoked = await runCli(['cloud', 'revoke-device', ...common, '--event', created.cloudEventId, '--device', 'laptop-cli-01']);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(revoked.stdout).toContain('Laptop laptop-cli-01 can no longer sync');
      expect((await call(publicUrl, 'GET', '/sync/v1/event', { token })).status).toBe(403);

      const unknown = await runCli(['cloud', 'revoke-device', ...common, '--event', created.cloudEventId, '--device', 'laptop-nobody']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr + unknown.stdout).toContain('has no laptop laptop-nobody');
    } finally {
      serve.kill('SIGTERM');
    }
    const result = await served;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('Stopped cleanly');
    // The operator sees what arrived.
    expect(result.stderr).toMatch(/batch applied/);
    expect(result.stderr).toContain('laptop-cli-01');
  });

  it('asks for the public address when serving on all interfaces', async () => {
    const res = await runCli(
      ['cloud', 'serve', '--data-dir', `${dir}/data`, '--database', databaseUrl, '--blobs', `${dir}/blobs`, '--host', '0.0.0.0'],
      60_000,
    );
    expect(res.code).toBe(2);
    expect(res.stderr + res.stdout).toContain('needs --public-url');
  });

  it('says which option is missing when serve is started without a database', async () => {
    const res = await runCli(['cloud', 'serve', '--data-dir', `${dir}/data`, '--blobs', `${dir}/blobs`], 60_000);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/--database/);
  });
});
