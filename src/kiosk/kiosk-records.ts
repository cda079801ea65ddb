// The organiser's records of kiosk visits: which photos went to which visit, when the attendee
// consented, whether they asked for new photos, and whether their contact and selfie descriptor
// are still kept. Contacts are shown masked: the record proves a delivery, it is not a mailing list.
import type { KioskVisit, Repositories } from '../store/index.js';

export interface DeliveryRecord {
  visit: string;
  kiosk: string | null;
  consentedAt: string;
  endedAt: string | null;
  /** Photos the attendee's selfie found (sure and "maybe"). */
  photosFound: number;
  /** Photos in the attendee's gallery link (what went home). */
  photosTakenHome: number[];
  galleryExpiresAt: string | null;
  /** Asked to be sent new photos of them. */
  newPhotosConsent: boolean;
  /** Until when the selfie descriptor is kept for that (null: not kept for new photos). */
  followUntil: string | null;
  selfieDescriptor: 'kept' | 'deleted';
  contact: 'kept' | 'deleted' | 'none given';
  /** The contact masked (first letter and domain of an email, last digits of a phone). */
  contactShown: string | null;
  deliveries: { id: number; channel: string; to: string; state: string; photos: number[]; createdAt: string; sentAt: string | null }[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** "g•••@example.com", "•••• 4567": enough to recognise on a complaint, not enough to contact. */
export function maskContact(address: string): string {
  const at = address.indexOf('@');
  if (at > 0) return `${address[0]}•••${address.slice(at)}`;
  const digits = address.replace(/\D/g, '');
  return `•••• ${digits.slice(-4)}`;
}

/** A stored session contact is "channel:address" (kiosk-sessions.ts). */
const addressOf = (contact: string): string => contact.slice(contact.indexOf(':') + 1);

export function toDeliveryRecord(v: KioskVisit): DeliveryRecord {
  const given = v.contact !== null || v.deliveries.length > 0;
  const kept = v.contact !== null || v.deliveries.some((d) => d.address !== '');
  const address = v.contact !== null ? addressOf(v.contact) : (v.deliveries.find((d) => d.address !== '')?.address ?? null);
  return {
    visit: v.sessionId,
    kiosk: v.kioskName,
    consentedAt: new Date(v.consentedAt).toISOString(),
    endedAt: iso(v.endedAt),
    photosFound: v.matchedPhotoIds.length,
    photosTakenHome: v.gallery?.photoIds ?? [],
    galleryExpiresAt: iso(v.gallery?.expiresAt ?? null),
    newPhotosConsent: v.notifyOptIn,
    followUntil: iso(v.followUntil),
    selfieDescriptor: v.selfieKept ? 'kept' : 'deleted',
    contact: !given ? 'none given' : kept ? 'kept' : 'deleted',
    contactShown: address ? maskContact(address) : null,
    deliveries: v.deliveries.map((d) => ({
      id: d.id,
      channel: d.channel,
      to: d.address ? maskContact(d.address) : '',
      state: d.state,
      photos: d.photoIds,
      createdAt: new Date(d.createdAt).toISOString(),
      sentAt: iso(d.sentAt),
    })),
  };
}

export function createKioskRecords(repos: Repositories) {
  return {
    /** Every kiosk visit of the event with what went home, oldest first. */
    deliveries(eventId: number): DeliveryRecord[] {
      return repos.visits.visitsOfEvent(eventId).map(toDeliveryRecord);
    },
  };
}

export type KioskRecords = ReturnType<typeof createKioskRecords>;
