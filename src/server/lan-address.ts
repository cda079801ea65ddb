// Which address kiosks and phones on the venue network should use to reach this laptop.
import type { NetworkInterfaceInfo } from 'node:os';

/** Every non-internal IPv4 of this laptop: the names the kiosk certificate must carry. */
export function lanAddresses(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  return Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => i.family === 'IPv4' && !i.internal)
    .map((i) => i.address);
}

/** Private IPv4 first (the venue Wi-Fi), then any other non-internal IPv4; null when offline. */
export function pickLanAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string | null {
  const candidates = lanAddresses(interfaces);
  const isPrivate = (a: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(a);
  return candidates.find(isPrivate) ?? candidates[0] ?? null;
}
