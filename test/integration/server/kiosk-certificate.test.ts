// The kiosk's HTTPS certificate: made once, kept across restarts (a tablet accepts it once),
// made again when the laptop is on a new network or the saved one is damaged.
import { X509Certificate } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateKioskCertificate } from '../../../src/server/kiosk-certificate.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('shutterfind-tls-');
});
afterEach(async () => {
  await removeDir(dir);
});

const namesOf = (pem: string) => new X509Certificate(pem).subjectAltName?.split(', ').sort();

describe('the kiosk certificate', () => {
  it("names loopback and the laptop's venue addresses, and keeps its key private", async () => {
    const made = await loadOrCreateKioskCertificate(dir, ['192.168.1.23', '10.0.0.7'], () => {});
    expect(namesOf(made.cert)).toEqual(
      expect.arrayContaining(['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:192.168.1.23', 'IP Address:10.0.0.7']),
    );
    expect(statSync(join(dir, 'kiosk-key.pem')).mode & 0o777).toBe(0o600);
    expect(made.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('is the same after a restart on the same network, so tablets are not asked again', async () => {
    const first = await loadOrCreateKioskCertificate(dir, ['192.168.1.23'], () => {});
    const replaced: string[] = [];
    const again = await loadOrCreateKioskCertificate(dir, ['192.168.1.23'], (why) => replaced.push(why));
    expect(again.fingerprint).toBe(first.fingerprint);
    expect(replaced).toEqual([]);
  });

  it('is made again, with a reason, on a new network or when the saved one is damaged', async () => {
    const first = await loadOrCreateKioskCertificate(dir, ['192.168.1.23'], () => {});
    const replaced: string[] = [];
    const moved = await loadOrCreateKioskCertificate(dir, ['172.20.0.4'], (why) => replaced.push(why));
    expect(moved.fingerprint).not.toBe(first.fingerprint);
    expect(namesOf(moved.cert)).toContain('IP Address:172.20.0.4');
    writeFileSync(join(dir, 'kiosk-cert.pem'), 'not a certificate');
    const repaired = await loadOrCreateKioskCertificate(dir, ['172.20.0.4'], (why) => replaced.push(why));
    expect(new X509Certificate(repaired.cert).fingerprint256).toBe(repaired.fingerprint);
    expect(replaced).toEqual([expect.stringContaining('172.20.0.4'), expect.stringContaining('cannot be read')]);
  });

  it('is renewed when it is about to expire', async () => {
    const longAgo = new Date(Date.now() - 820 * 86_400_000);
    const old = await loadOrCreateKioskCertificate(dir, ['192.168.1.23'], () => {}, longAgo);
    const replaced: string[] = [];
    const renewed = await loadOrCreateKioskCertificate(dir, ['192.168.1.23'], (why) => replaced.push(why));
    expect(renewed.fingerprint).not.toBe(old.fingerprint);
    expect(replaced).toEqual([expect.stringContaining('expires')]);
  });
});
