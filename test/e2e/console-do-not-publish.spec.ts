// The organiser marks a person "do not publish" in the console's People page: the card says so,
// the "Do not publish" list records who, by whom, when and in how many photos, and "Publish
// again" undoes it while the list keeps the revoked request.
import { screenshotPath } from './support/paths.js';
import { openPeoplePage } from './support/people-page.js';
import { expect, test } from './support/test.js';

test('the organiser marks a person "do not publish" and publishes them again', async ({ page, server }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const person = await openPeoplePage(page, server);
  const card = page.locator(`[data-testid="person-card"][data-person-id="${person.id}"]`);
  await expect(card).toHaveAttribute('data-opted-out', 'false');

  page.once('dialog', (dialog) => void dialog.accept());
  await card.getByTestId('person-do-not-publish').click();
  await expect(card).toHaveAttribute('data-opted-out', 'true');
  await expect(card.getByTestId('person-opted-out')).toHaveText('Not published · face blurred');
  const row = page.getByTestId('opt-out-row');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Organiser');
  await expect(row).toContainText('Not published');
  await expect(row.locator('td').nth(3)).toHaveText(String(person.photos));
  await page.screenshot({ animations: 'disabled', path: screenshotPath('console-do-not-publish'), fullPage: true });

  await card.getByTestId('person-publish').click();
  await expect(card).toHaveAttribute('data-opted-out', 'false');
  await expect(row).toHaveAttribute('data-active', 'false');
  await expect(row).toContainText('Revoked');
});
