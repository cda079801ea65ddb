// The certificate of the kiosk's HTTPS address on the venue network. Browsers give a page the
// camera only on localhost or HTTPS, so a tablet kiosk needs https://<laptop>/kiosk. No public
// authority can vouch for a laptop on a venue network: the certificate is the laptop's own,
// made once and kept in the data dir; a tablet accepts it once (the fingerprint is printed).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface KioskCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint, for the operator to compare with what the tablet shows. */
  fingerprint: string;
}

/** Addresses the certificate must name: this laptop by name, loopback, and its LAN addresses. */
export function certificateNames(lanAddresses: readonly string[]): { dns: string[]; ips: string[] } {
  return { dns: [...new Set(['localhost', hostname()])], ips: [...new Set(['127.0.0.1', ...lanAddresses])] };
}

function covers(cert: X509Certificate, names: { dns: string[]; ips: string[] }): boolean {
  const san = cert.subjectAltName ?? '';
  return names.ips.every((ip) => san.includes(`IP Address:${ip}`)) && names.dns.every((d) => san.includes(`DNS:${d}`));
}

const VALID_DAYS = 825;

/** The saved certificate when it is still valid for these addresses, else a new one (saved, 0600). */
export async function loadOrCreateKioskCertificate(
  dir: string,
  lanAddresses: readonly string[],
  onReplaced: (why: string) => void,
  now = new Date(),
): Promise<KioskCertificate> {
  const names = certificateNames(lanAddresses);
  const keyPath = join(dir, 'kiosk-key.pem');
  const certPath = join(dir, 'kiosk-cert.pem');
  try {
    const key = readFileSync(keyPath, 'utf8');
    const cert = readFileSync(certPath, 'utf8');
    const x509 = new X509Certificate(cert);
    // A new venue network means new addresses: the certificate must name them.
    if (!covers(x509, names)) onReplaced(`it does not name this laptop's current addresses (${names.ips.join(', ')})`);
    else if (new Date(x509.validTo).getTime() - now.getTime() < 7 * 86_400_000) onReplaced(`it expires on ${x509.validTo}`);
    else return { key, cert, fingerprint: x509.fingerprint256 };
  } catch (err) {
    // A damaged file is replaced; the tablets then accept the new certificate once.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onReplaced(`it cannot be read: ${(err as Error).message}`);
  }
  const notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: `Shutterfind on ${hostname()}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...names.dns.map((value) => ({ type: 2 as const, value })), ...names.ips.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  chmodSync(keyPath, 0o600);
  writeFileSync(certPath, pems.cert);
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}
