// Sends one email over SMTP through nodemailer, and says how a failure should be treated: a
// permanent refusal (5xx: no such mailbox) is the organiser's to fix, anything else is retried.
import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Fixed per delivery (`<delivery-<id>@shutterfind>`), so a resend after a crash is recognisable. */
  messageId: string;
}

export type SendOutcome = { sent: true; messageId: string } | { sent: false; permanent: boolean; reason: string };

export interface Mailer {
  send(email: OutgoingEmail): Promise<SendOutcome>;
  close(): void;
}

export interface MailerOptions {
  /** smtp://user:pass@host:587 or smtps://… (nodemailer's connection URL). */
  smtpUrl: string;
  /** The sender attendees see, e.g. `"Shutterfind" <photos@example.org>`. */
  from: string;
}

/**
 * Timeouts well under the delivery claim (minutes): an SMTP server that hangs fails this email as
 * temporary before another endpoint instance could take the same delivery over. nodemailer's own
 * defaults (2 min to connect, 10 min of silence) would outlive the claim.
 */
const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
const SMTP_GREETING_TIMEOUT_MS = 10_000;
const SMTP_SOCKET_TIMEOUT_MS = 30_000;

export function createMailer(options: MailerOptions): Mailer {
  let url: URL;
  try {
    url = new URL(options.smtpUrl);
  } catch {
    throw new Error(`The SMTP address "${options.smtpUrl}" is not a URL: give it as smtp://user:password@host:587 or smtps://host:465.`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(`The SMTP address must start with smtp:// or smtps:// (got ${url.protocol}//).`);
  }
  // One connection per email (no pool): emails are few and far between, and an idle pooled
  // connection would only be dropped by the server in the meantime.
  const transport = nodemailer.createTransport({
    url: options.smtpUrl,
    pool: false,
    connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
  });
  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
        });
        return { sent: true, messageId: info.messageId };
      } catch (err) {
        return { sent: false, ...classifySmtpFailure(err) };
      }
    },
    close: () => transport.close(),
  };
}

interface SmtpFailure {
  permanent: boolean;
  reason: string;
}

/**
 * 5xx is the server's final answer about this message or address (RFC 5321 §4.2.1): retrying the
 * same email cannot help. A rejected login (535) is the operator's SMTP settings, not the
 * attendee's address, so it is retried once they are fixed. Everything else (4xx, a dropped
 * connection, a timeout) is temporary.
 */
export function classifySmtpFailure(err: unknown): SmtpFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { responseCode?: unknown; code?: unknown; message?: unknown };
  const reason = typeof e.message === 'string' ? e.message : String(err);
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { permanent: false, reason: `The SMTP server refused our login (${reason}): fix the SMTP address's user and password.` };
  }
  if (responseCode !== undefined) return { permanent: responseCode >= 500 && responseCode < 600, reason };
  // An address nodemailer itself cannot send to (no valid recipient) will never work either.
  if (code === 'EENVELOPE') return { permanent: true, reason };
  return { permanent: false, reason };
}
