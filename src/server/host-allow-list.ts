// Which Host headers the server answers. DNS rebinding: a web page at evil.example re-points its
// own name to 127.0.0.1 (or the laptop's venue address), and the browser then lets that page read
// this server's answers as same-origin. Its requests still say `Host: evil.example`, so a server
// that answers only to its own names and addresses is out of reach.
import { hostname, networkInterfaces } from 'node:os';
import { lanAddresses } from './lan-address.js';

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1)$/;

/** The name in a Host header, lower-case, without the port or an IPv6 literal's brackets; null when absent or malformed. */
export function hostNameOf(header: string | undefined): string | null {
  if (!header) return null;
  const host = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  const plain = /^([a-z0-9.-]+)(?::\d+)?$/.exec(host);
  return plain ? plain[1]! : null;
}

/**
 * Whether a request with this Host header may be answered: loopback names always; with LAN on,
 * also the names the venue network reaches this laptop by (its addresses, its host name and
 * host name.local). `lanNames` is asked only when needed, so loopback requests cost nothing.
 */
export function hostAllowed(header: string | undefined, lanNames: (() => ReadonlySet<string>) | null): boolean {
  const name = hostNameOf(header);
  if (name === null) return false;
  if (LOOPBACK.test(name)) return true;
  return lanNames !== null && lanNames().has(name);
}

/**
 * This laptop's names on the venue network, read at each call: a laptop that joins another
 * network (or gets a new DHCP lease) mid-event stays reachable by its new address.
 */
export function ownLanNames(): ReadonlySet<string> {
  const host = hostname().toLowerCase();
  return new Set([...lanAddresses(networkInterfaces()), host, `${host}.local`]);
}
