// Faces join persons as each photo is stored: an open People page shows the people of a photo
// that landed after it opened, without pressing Refresh.
import type { PeopleList } from '../../src/api/index.js';
import { copyPhoto } from './support/event-photos.js';
import { openPeoplePage } from './support/people-page.js';
import { SAMPLE_PHOTOS } from './support/paths.js';
import { waitForReadyPhotos } from './support/server.js';
import { expect, test } from './support/test.js';

test('the People page shows the people of a new photo by itself', async ({ page, server }) => {
  await openPeoplePage(page, server);
  const cards = page.getByTestId('person-card');
  const before = (await server.api.get<PeopleList>(server.api.withEvent('/api/people'))).people.length;
  await expect(cards).toHaveCount(before);

  await copyPhoto(server.watchDir, SAMPLE_PHOTOS[2]!);
  await waitForReadyPhotos(server, 3);
  const after = (await server.api.get<PeopleList>(server.api.withEvent('/api/people'))).people.length;
  expect(after).toBeGreaterThan(before);
  // The page reloads a few seconds after photos with faces land (at most every 5 s during a burst).
  await expect(cards).toHaveCount(after, { timeout: 20_000 });
});
