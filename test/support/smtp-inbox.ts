// A real SMTP server for the email tests (smtp-server on a free loopback port): it keeps every
// message it accepts, parsed enough to read the subject, the Message-ID and the text, and can
// refuse recipients with a chosen SMTP reply (451 try later, 550 no such mailbox).
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedEmail {
  from: string;
  to: string[];
  messageId: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface RecipientRefusal {
  /** Only this address (any when omitted). */
  address?: string;
  code: number;
  message: string;
  /** How many times to refuse before accepting again (for ever when omitted). */
  times?: number;
}

export interface SmtpInbox {
  port: number;
  /** smtp://127.0.0.1:<port> */
  url: string;
  messages: ReceivedEmail[];
  /** RCPT TO commands seen, accepted or refused. */
  recipientAttempts(): number;
  refuseRecipients(refusal: RecipientRefusal): void;
  close(): Promise<void>;
}

export async function startSmtpInbox(): Promise<SmtpInbox> {
  const messages: ReceivedEmail[] = [];
  const refusals: RecipientRefusal[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      attempts += 1;
      const refusal = refusals.find((r) => (r.address ?? address.address) === address.address && (r.times ?? 1) > 0);
      if (refusal) {
        if (refusal.times !== undefined) refusal.times -= 1;
        callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        messages.push({ ...parseEmail(raw), from, to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    recipientAttempts: () => attempts,
    refuseRecipients: (refusal) => {
      refusals.push({ ...refusal, times: refusal.times ?? Number.POSITIVE_INFINITY });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---- just enough MIME to read what nodemailer sends (headers, multipart/alternative, QP, base64)

type Parsed = Omit<ReceivedEmail, 'from' | 'to' | 'raw'>;

function splitHead(part: string): { headers: Map<string, string>; body: string } {
  const at = part.search(/\r?\n\r?\n/);
  const head = at < 0 ? part : part.slice(0, at);
  const body = at < 0 ? '' : part.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

/** =?UTF-8?Q?…?= and =?UTF-8?B?…?= words in a header (a subject with accents). */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _charset: string, kind: string, data: string) =>
      kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeBody(data.replace(/_/g, ' '), 'quoted-printable'),
    );
}

function parseEmail(raw: string): Parsed {
  const { headers, body } = splitHead(raw);
  const found = { text: '', html: '' };
  collectParts(headers, body, found);
  return {
    messageId: headers.get('message-id') ?? '',
    subject: decodeWords(headers.get('subject') ?? ''),
    ...found,
  };
}

function collectParts(headers: Map<string, string>, body: string, found: { text: string; html: string }): void {
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith('multipart/') && boundary) {
    const parts = body.split(`--${boundary}`).slice(1);
    for (const part of parts) {
      if (part.startsWith('--')) break;
      const inner = splitHead(part.replace(/^\r?\n/, ''));
      collectParts(inner.headers, inner.body, found);
    }
    return;
  }
  const decoded = decodeBody(body, headers.get('content-transfer-encoding'));
  if (type.toLowerCase().startsWith('text/html')) found.html = decoded;
  else if (type.toLowerCase().startsWith('text/plain')) found.text = decoded;
}
