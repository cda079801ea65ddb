// The console's People page over an event of two sample photos, as the people tests start it.
import type { Page } from '@playwright/test';
import type { PeopleList, PersonView } from '../../../src/api/index.js';
import { copyPhoto } from './event-photos.js';
import { SAMPLE_PHOTOS } from './paths.js';
import { waitForReadyPhotos, type RunningServer } from './server.js';

/** Two sample photos processed, the console open on its People page; the event's first person. */
export async function openPeoplePage(page: Page, server: RunningServer): Promise<PersonView> {
  for (const photo of SAMPLE_PHOTOS.slice(0, 2)) await copyPhoto(server.watchDir, photo);
  await waitForReadyPhotos(server, 2);
  const { people } = await server.api.get<PeopleList>(server.api.withEvent('/api/people'));
  await page.goto(`${server.url}/console?token=${encodeURIComponent(server.operatorToken)}`);
  await page.getByTestId('nav-people').click();
  return people[0]!;
}
