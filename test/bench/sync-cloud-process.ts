// The far side of bench:sync, in a process of its own as it would be on another machine: a real
// PostgreSQL, the cloud endpoint with a directory blob store, and in front of it the fault proxy
// capping the link. Talks to the bench over stdin/stdout, one JSON object per line:
//   → {"ready": {...addresses, join code}}   on start
//   ← "stats"  → {"stats": {"bytesUp": n, "bytesDown": n, "cpuMs": n (this process; PostgreSQL's own processes not counted)}}
//   ← "stop"   → {"stopped": true}, then exits
import os from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { openBlobStore } from '../../src/cloud/blobs/index.js';
import { createCloudEvent, startCloudServer } from '../../src/cloud/index.js';
import { freePort } from '../integration/cloud/cloud-harness.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { startPostgres } from '../support/postgres.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const bitsPerSecond = Number(process.argv[2] ?? 50e6);
// The far side stands for another machine: on this one it takes only the CPU the laptop leaves
// (PostgreSQL, started below, inherits the priority).
os.setPriority(Number(process.argv[3] ?? 19));
const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

const postgres = await startPostgres();
const databaseUrl = await postgres.createDatabase();
const blobDir = await makeTempDir('shutterfind-bench-blobs-');
const port = await freePort();
const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
proxy.setFault({ kind: 'bandwidth', bitsPerSecond });
// Laptops reach the endpoint through the capped link: part URLs are signed for the proxy's address.
const blobs = openBlobStore(join(blobDir, 'store'), { publicBaseUrl: proxy.url, signingSecret: 'bench-signing-secret' });
const server = await startCloudServer({ databaseUrl, blobs, publicBaseUrl: proxy.url, port, onError: (err) => console.error(err) });
const created = await createCloudEvent(server.db, { name: 'Bench gala', uploadOriginals: false, cloudFaceSearch: false });
say({ ready: { linkUrl: proxy.url, directUrl: server.url, joinCode: created.joinCode, cloudEventId: created.cloudEventId } });

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === 'stats') {
    const cpu = process.cpuUsage();
    say({
      stats: {
        bytesUp: proxy.bytesForwarded('up'),
        bytesDown: proxy.bytesForwarded('down'),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      },
    });
  }
  if (line.trim() === 'stop') break;
}
await server.close();
await proxy.close();
await postgres.stop();
await removeDir(blobDir);
say({ stopped: true });
process.exit(0);
