// The organiser's record of one kiosk visit (src/kiosk/kiosk-records.ts): what went home, whether
// the contact and selfie descriptor are still kept, and contacts masked so the record is not a
// mailing list.
import { describe, expect, it } from 'vitest';
import { maskContact, toDeliveryRecord } from '../../../src/kiosk/kiosk-records.js';
import type { KioskVisit } from '../../../src/store/index.js';

const T = Date.UTC(2024, 6, 6, 14, 0, 0);

const visit = (over: Partial<KioskVisit> = {}): KioskVisit => ({
  sessionId: 'visit-1',
  eventId: 1,
  kioskName: 'Entrance kiosk',
  state: 'ended',
  consentedAt: T,
  endedAt: T + 180_000,
  notifyOptIn: false,
  followUntil: null,
  selfieKept: false,
  contact: null,
  matchedPhotoIds: [3, 4, 5],
  gallery: { photoIds: [3, 4], createdAt: T + 60_000, expiresAt: T + 86_400_000 },
  deliveries: [],
  ...over,
});

describe('maskContact', () => {
  it.each([
    ['keeps the first letter and the domain of an email', 'guest@example.com', 'g•••@example.com'],
    ['keeps the last four digits of a phone number', '+44 7700 900123', '•••• 0123'],
    ['keeps no more of a short number than it has', '123', '•••• 123'],
  ])('%s', (_what, address, shown) => {
    expect(maskContact(address)).toBe(shown);
  });
});

describe('toDeliveryRecord', () => {
  it('says no contact was given when the attendee left none', () => {
    expect(toDeliveryRecord(visit())).toMatchObject({ contact: 'none given', contactShown: null, selfieDescriptor: 'deleted' });
  });

  it('shows a kept contact masked, from the session ("channel:address")', () => {
    expect(toDeliveryRecord(visit({ contact: 'email:guest@example.com' }))).toMatchObject({
      contact: 'kept',
      contactShown: 'g•••@example.com',
    });
  });

  it('says the contact was deleted when a delivery was made but no address is kept any more', () => {
    const d = {
      id: 7,
      channel: 'email' as const,
      address: '',
      state: 'sent' as const,
      photoIds: [3],
      createdAt: T,
      sentAt: T + 1,
      error: null,
    };
    expect(toDeliveryRecord(visit({ deliveries: [d] }))).toMatchObject({ contact: 'deleted', contactShown: null });
  });

  it('records the consent time, what the selfie found and what went home', () => {
    expect(toDeliveryRecord(visit({ notifyOptIn: true, followUntil: T + 30 * 86_400_000, selfieKept: true }))).toMatchObject({
      consentedAt: new Date(T).toISOString(),
      photosFound: 3,
      photosTakenHome: [3, 4],
      newPhotosConsent: true,
      followUntil: new Date(T + 30 * 86_400_000).toISOString(),
      selfieDescriptor: 'kept',
    });
  });
});
