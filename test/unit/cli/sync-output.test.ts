// What `shutterfind sync` prints at the end: it says everything is on the endpoint only when it is.
import { describe, expect, it } from 'vitest';
import type { SyncView } from '../../../src/api/index.js';
import { formatSync } from '../../../src/cli/commands/sync.js';

const view: SyncView = {
  eventId: 1,
  state: 'idle',
  endpoint: 'https://photos.example.org',
  cloudEventId: 'cloud-1',
  publicBaseUrl: 'https://photos.example.org',
  deviceName: 'Laptop',
  opsLeft: 0,
  blobsLeft: 0,
  bytesLeft: 0,
  bytesSent: 0,
  rateBytesPerSecond: 0,
  lastSyncedAt: null,
  lastError: null,
  bandwidthCapBytesPerSecond: null,
  uploadOriginals: false,
  cloudFaceSearch: false,
};
const summary = { opsSent: 3, blobsSent: 2, bytesSent: 200_000, deliveriesSent: 0, filesChanged: 0, tookMs: 1200 };

describe('the end of `shutterfind sync`', () => {
  it('says everything is on the endpoint when nothing is left', () => {
    expect(formatSync({ event: 'Gala', via: 'engine', summary, view, complete: true })).toMatch(/Everything is on the endpoint\.$/);
  });

  it('names the files that changed each time they were sent instead of saying everything arrived', () => {
    const text = formatSync({ event: 'Gala', via: 'engine', summary: { ...summary, filesChanged: 1 }, view, complete: false });
    expect(text).not.toMatch(/Everything is on the endpoint/);
    expect(text).toMatch(/1 file\(s\) changed each time they were sent .*run the sync again once they are written\.$/);
  });
});
