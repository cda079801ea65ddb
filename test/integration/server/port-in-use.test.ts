// `shutterfind serve` on a port another program holds, as a photographer meets it: the real CLI
// (dist/, from `npm run build`) against a real listening socket.
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let root: string;
let other: Server;
let port: number;

beforeAll(async () => {
  root = await makeTempDir('shutterfind-port-');
  other = createServer();
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  port = (other.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => other?.close(resolve));
  await removeDir(root);
});

describe('serve on a taken port', () => {
  it('ends with one line that names the port and says to stop the other program or use --port, and no stack trace', async () => {
    const result = await runCli(['serve', '--event', 'Port test', '--data-dir', join(root, 'data'), '--port', String(port)], 120_000);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    const last = lines.at(-1)!;
    expect(last).toMatch(new RegExp(`^shutterfind: Port ${port} is already in use by another program`));
    expect(last).toContain('stop that program');
    expect(last).toContain('--port');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/Error: /);
  });
});
