// An event enrolled with a cloud endpoint that is never reached (loopback port 1), for tests of
// what the laptop decides and records before anything is sent.
import type { Repositories } from '../../src/store/index.js';

export function enrolForTest(
  repos: Pick<Repositories, 'sync'>,
  eventId: number,
  now: number,
  {
    nextSeq = 1,
    uploadOriginals = false,
    cloudFaceSearch = false,
  }: { nextSeq?: number; uploadOriginals?: boolean; cloudFaceSearch?: boolean } = {},
): void {
  repos.sync.saveEnrolment(
    {
      eventId,
      endpoint: 'http://127.0.0.1:1',
      cloudEventId: 'cloudEvent000001',
      cloudEventName: 'Gala',
      publicBaseUrl: 'http://127.0.0.1:1',
      deviceName: 'Laptop A',
      deviceId: 'laptopDevice0001-e1',
      uploadOriginals,
      cloudFaceSearch,
      nextSeq,
    },
    now,
  );
}
