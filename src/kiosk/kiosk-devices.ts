// Kiosk tablets: paired with a one-time code from the console, known afterwards by a device
// token (only its hash is stored), listed with today's sessions, revoked by the operator.
import { hashSecret, newPairingCode, newToken } from '../config/index.js';
import type { KioskDevice, Repositories } from '../store/index.js';

/**
 * Long enough to walk to a tablet at the far end of the venue and type the code. Guessing is
 * bounded by one live code at a time (a new code voids the old one, kiosks-repository.ts) and
 * 10 tries a minute per address, not by a shorter life: a short one expires on the way.
 */
export const PAIRING_CODE_LIFETIME_MS = 10 * 60 * 1000;

/** "Last seen" for the console is written at most this often per kiosk, not on every request. */
const LAST_SEEN_EVERY_MS = 60_000;

export function createKioskDevices(repos: Repositories, now: () => number = Date.now) {
  const seen = new Map<number, number>();
  return {
    /** A new code for the event; the one before it stops working. */
    newPairingCode(eventId: number): { code: string; expiresAt: number } {
      const code = newPairingCode();
      const at = now();
      repos.kiosks.addPairingCode(eventId, hashSecret(code), at, at + PAIRING_CODE_LIFETIME_MS);
      return { code, expiresAt: at + PAIRING_CODE_LIFETIME_MS };
    },
    /** The code typed on the tablet, traded for a device token; undefined when the code is wrong, used or expired. */
    pair(code: string, name: string): { kioskId: number; token: string } | undefined {
      const eventId = repos.kiosks.redeemPairingCode(hashSecret(code), now());
      if (eventId === undefined) return undefined;
      const token = newToken();
      return { kioskId: repos.kiosks.addDevice(eventId, name, hashSecret(token), now()), token };
    },
    /** The kiosk holding this device token (noted as seen now), or undefined. */
    identify(token: string): KioskDevice | undefined {
      const device = repos.kiosks.deviceByTokenHash(hashSecret(token));
      const at = now();
      if (device && at - (seen.get(device.id) ?? 0) > LAST_SEEN_EVERY_MS) {
        seen.set(device.id, at);
        repos.kiosks.touchDevice(device.id, at);
      }
      return device;
    },
    /** The event's kiosks with how many sessions each has run since `since`. */
    list: (eventId: number, since: number): { device: KioskDevice; sessions: number }[] =>
      repos.kiosks.listDevices(eventId).map((device) => ({ device, sessions: repos.kiosks.countSessionsSince(device.id, since) })),
    revoke: (eventId: number, kioskId: number): boolean => repos.kiosks.revokeDevice(eventId, kioskId, now()),
  };
}

export type KioskDevices = ReturnType<typeof createKioskDevices>;
