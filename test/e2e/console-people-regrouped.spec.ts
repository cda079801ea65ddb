// When the event's people are grouped again from scratch (`shutterfind recluster`, or by
// themselves while the cameras pause), an open People page reloads by itself: a name given
// meanwhile from the command line shows without pressing Refresh.
import { openPeoplePage } from './support/people-page.js';
import { expect, test } from './support/test.js';

test('the People page reloads by itself once the event is re-clustered', async ({ page, server }) => {
  const person = await openPeoplePage(page, server);
  const card = page.locator(`[data-testid="person-card"][data-person-id="${person.id}"]`);
  await expect(card).toBeVisible();
  await expect(card.getByTestId('person-name')).not.toContainText('Aunt May');

  // Renamed outside the page (as `shutterfind rename-person` does): nothing tells the page yet.
  await server.api.request('PATCH', server.api.withEvent(`/api/people/${person.id}`), { name: 'Aunt May' });
  await page.waitForTimeout(1_000);
  await expect(card.getByTestId('person-name')).not.toContainText('Aunt May');

  // Re-clustered: the page hears it on the live stream and reloads; the name survives the re-cluster.
  await server.api.post(server.api.withEvent('/api/people/recluster'));
  await expect(card.getByTestId('person-name')).toContainText('Aunt May');
});
