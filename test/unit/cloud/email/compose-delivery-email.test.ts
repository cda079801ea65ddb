import { describe, expect, it } from 'vitest';
import { classifySmtpFailure, composeDeliveryEmail } from '../../../../src/cloud/email/index.js';

const facts = {
  eventName: 'Summer Party',
  galleryUrl: 'https://photos.example.org/g/abc123',
  photoCount: 12,
  expiresAt: new Date('2027-01-04T10:00:00Z'),
};

describe('the email an attendee receives', () => {
  it('names the event in the subject and carries the link in both the text and the HTML', () => {
    const email = composeDeliveryEmail(facts);
    expect(email.subject).toBe('Your photos from Summer Party');
    expect(email.text).toContain('Here are your 12 photos from Summer Party:');
    expect(email.text).toContain('\nhttps://photos.example.org/g/abc123\n');
    expect(email.html).toContain('<a href="https://photos.example.org/g/abc123">https://photos.example.org/g/abc123</a>');
  });

  it('says until which day the link works, written out so no reader takes it for another date', () => {
    const email = composeDeliveryEmail(facts);
    expect(email.text).toContain('The link works until 4 January 2027');
    expect(email.html).toContain('The link works until 4 January 2027');
  });

  it('tells the attendee their address is deleted, as the consent screen promised', () => {
    expect(composeDeliveryEmail(facts).text).toMatch(/deleted your email address/);
  });

  it.each([
    [1, 'Here are your photo from'],
    [0, 'Here are your photos from'],
    [2, 'Here are your 2 photos from'],
  ])('counts %i photo(s) in words that read right', (photoCount, expected) => {
    expect(composeDeliveryEmail({ ...facts, photoCount }).text).toContain(expected);
  });

  it('escapes an event name and a link that carry HTML, so nothing in them runs or breaks the page', () => {
    const email = composeDeliveryEmail({
      ...facts,
      eventName: `<script>alert(1)</script> O'Brien & "Co"`,
      galleryUrl: 'https://x.example/g/a"onmouseover="x',
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; O&#39;Brien &amp; &quot;Co&quot;');
    expect(email.html).toContain('href="https://x.example/g/a&quot;onmouseover=&quot;x"');
    // The plain text is not HTML: it keeps the name as typed.
    expect(email.text).toContain(`<script>alert(1)</script> O'Brien & "Co"`);
  });

  it('keeps the subject on one line whatever the event name holds', () => {
    expect(composeDeliveryEmail({ ...facts, eventName: 'Gala\r\nBcc: everyone@example.org' }).subject).toBe(
      'Your photos from Gala Bcc: everyone@example.org',
    );
    expect(composeDeliveryEmail({ ...facts, eventName: '   ' }).subject).toBe('Your photos from the event');
  });
});

describe('how a failed send is treated', () => {
  it.each([
    ['a full mailbox or greylisting (451)', { responseCode: 451, message: 'try later' }, false],
    ['no such mailbox (550)', { responseCode: 550, message: 'no such user' }, true],
    ['a refused login (535), which is the SMTP settings and not the address', { responseCode: 535, code: 'EAUTH', message: 'bad' }, false],
    ['a connection that failed', { code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, false],
    ['a timeout', { code: 'ETIMEDOUT', message: 'Greeting never received' }, false],
    ['an address nodemailer cannot send to', { code: 'EENVELOPE', message: 'No recipients defined' }, true],
  ])('%s', (_what, err, permanent) => {
    expect(classifySmtpFailure(Object.assign(new Error(err.message), err)).permanent).toBe(permanent);
  });
});
