// Checking what a visitor typed as an email address or phone number before it is saved for delivery.
import type { TakeHomeRequest } from '@api';

export type Channel = 'email' | 'sms';

// Deliberately loose: a typo is caught by the visitor reading it back, not by a perfect regex.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
/** 7 to 15 digits after removing spaces, dashes, dots and brackets, with an optional leading +. */
const PHONE = /^\+?\d{7,15}$/;

export function contactFrom(channel: Channel, typed: string): TakeHomeRequest['contact'] | null {
  const value = typed.trim();
  if (channel === 'email') return EMAIL.test(value) ? { channel, address: value } : null;
  const phone = value.replace(/[\s().-]/g, '');
  return PHONE.test(phone) ? { channel, address: phone } : null;
}
