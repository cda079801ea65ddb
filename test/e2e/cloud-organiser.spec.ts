// The organiser's page of a cloud event in a real browser, against a real endpoint (PostgreSQL,
// directory blob store, SMTP): two laptops' photos with real thumbnails, people and emails. The
// organiser signs in with the token `cloud create-event` printed, gets a join code, links the same
// person seen on both laptops; the guide's picture of the page is taken on the way.
import { test, expect } from '@playwright/test';
import { join } from 'node:path';
import sharp from 'sharp';
import { samplePhotoPaths } from '../fixtures/camera-photos.js';
import { startCloudHarness, type CloudHarness } from '../integration/cloud/cloud-harness.js';
import { BRAVO, MISTYPED_ADDRESS, fillOrganiserEvent, type FilledEvent } from '../integration/cloud/organiser-event.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startSmtpInbox, type SmtpInbox } from '../support/smtp-inbox.js';
import { REPO_ROOT, screenshotPath } from './support/paths.js';

/** The Cloud guide's picture of an event two laptops filled (docs/guide). */
const GUIDE_SCREENSHOT = join(REPO_ROOT, 'docs', 'guide', 'images', 'cloud-organiser.png');

/** What the test reads of an <img> in the page (the tests' tsconfig has no DOM types). */
interface LoadedImage {
  complete: boolean;
  naturalWidth: number;
}

let postgres: TestPostgres;
let smtp: SmtpInbox;
let cloud: CloudHarness | undefined;
let filled: FilledEvent;

test.beforeAll(async () => {
  postgres = await startPostgres();
  smtp = await startSmtpInbox();
  smtp.refuseRecipients({ address: MISTYPED_ADDRESS, code: 550, message: 'No such mailbox here' });
  cloud = await startCloudHarness(postgres, { smtpUrl: smtp.url });
  // Thumbnails as laptops make them: the sample photos scaled down, and mirrored for a second set.
  const paths = samplePhotoPaths();
  const thumbs = await Promise.all([
    ...paths.map((path) => sharp(path).resize(360, 240, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer()),
    ...paths.map((path) => sharp(path).flop().resize(360, 240, { fit: 'cover', position: 'top' }).jpeg({ quality: 80 }).toBuffer()),
  ]);
  filled = await fillOrganiserEvent(cloud, thumbs);
});

test.afterAll(async () => {
  await cloud?.close();
  await smtp?.close();
  await postgres?.stop();
});

test('the organiser signs in with the token and sees, links and manages the photos, people and emails of both laptops', async ({
  page,
}) => {
  const address = `${cloud!.urls[0]}/organiser/${filled.event.cloudEventId}`;
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(address);

  // The wrong token: refused, said so, still the form.
  await page.getByLabel('Organiser token').fill('not-this-events-token-0123456789');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-error')).toHaveText("That is not this event's organiser token.");

  await page.getByLabel('Organiser token').fill(filled.event.organiserToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('event-name')).toHaveText('Smith & Okafor wedding');
  await expect(page.getByTestId('laptop')).toHaveCount(2);
  await expect(page.getByTestId('photo')).toHaveCount(11);
  await expect(page.getByTestId('thumb-placeholder')).toHaveCount(1);
  await expect(page.getByTestId('delivery')).toHaveCount(3);
  await expect(page.getByTestId('delivery-error')).toContainText('No such mailbox here');
  await expect(page.locator('body')).not.toContainText(MISTYPED_ADDRESS);
  // Every thumbnail that arrived is drawn (loaded from the endpoint behind the cookie).
  const images = page.locator('[data-testid="photo"] img');
  await expect(images).toHaveCount(10);
  for (const image of await images.all()) {
    await image.scrollIntoViewIfNeeded();
    await expect
      .poll(() => image.evaluate((img) => (img as unknown as LoadedImage).complete && (img as unknown as LoadedImage).naturalWidth > 0))
      .toBe(true);
  }

  // A join code for a third laptop, shown once.
  await page.getByTestId('new-join-code').click();
  await expect(page.getByTestId('join-code')).toHaveText(/^[A-Z0-9]{5}-[A-Z0-9]{5}$/);
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.screenshot({ path: GUIDE_SCREENSHOT, fullPage: true });
  await page.screenshot({ path: screenshotPath('cloud-organiser'), fullPage: true });

  // The bride seen on both laptops: one person once the suggested link is confirmed.
  await expect(page.getByTestId('suggested-link')).toHaveCount(1);
  await page.getByTestId('confirm-link').click();
  await expect(page.getByTestId('notice')).toHaveText('Linked: they are one person now.');
  await expect(page.getByTestId('suggested-link')).toHaveCount(0);
  await expect(page.locator('[data-testid="person"][data-person="Grace"]')).toContainText(
    'from Alpha (main shooter), Bravo (second shooter)',
  );

  // A laptop given back: revoked, and shown so.
  const bravo = page.locator(`[data-testid="laptop"][data-laptop="${BRAVO.name}"]`);
  await bravo.getByTestId('revoke').click();
  await expect(bravo.getByTestId('laptop-revoked')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Organiser sign-in' })).toBeVisible();
});
