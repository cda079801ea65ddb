// The email an opted-in attendee receives: a short, friendly note with their gallery link, when
// it stops working, and that their address is now deleted (what the kiosk's consent screen promised).

export interface DeliveryEmailFacts {
  eventName: string;
  /** The gallery link minted for this email (`<public base URL>/g/<token>`). */
  galleryUrl: string;
  photoCount: number;
  expiresAt: Date;
}

export interface DeliveryEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Event names come from organisers and URLs from configuration: escaped wherever they land in HTML. */
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** "4 January 2027": unambiguous wherever the attendee lives (never 01/04). */
const formatDay = (at: Date): string => at.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

const countPhotos = (n: number): string => (n === 1 ? 'your photo' : n > 1 ? `your ${n} photos` : 'your photos');

export function composeDeliveryEmail(facts: DeliveryEmailFacts): DeliveryEmail {
  // A subject is one line whatever the organiser typed as the event's name.
  const eventName = facts.eventName.replace(/\s+/g, ' ').trim() || 'the event';
  const photos = countPhotos(facts.photoCount);
  const until = formatDay(facts.expiresAt);
  const subject = `Your photos from ${eventName}`;
  const text = [
    'Hello,',
    '',
    `Here are ${photos} from ${eventName}:`,
    '',
    facts.galleryUrl,
    '',
    `The link works until ${until}: download the ones you want to keep before then.`,
    '',
    'We have deleted your email address now that this message is on its way.',
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; line-height: 1.5">',
    '<p>Hello,</p>',
    `<p>Here are ${escapeHtml(photos)} from ${escapeHtml(eventName)}:</p>`,
    `<p><a href="${escapeHtml(facts.galleryUrl)}">${escapeHtml(facts.galleryUrl)}</a></p>`,
    `<p>The link works until ${escapeHtml(until)}: download the ones you want to keep before then.</p>`,
    '<p>We have deleted your email address now that this message is on its way.</p>',
    '</body></html>',
    '',
  ].join('\n');
  return { subject, text, html };
}
