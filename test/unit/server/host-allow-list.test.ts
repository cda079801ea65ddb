// Which Host headers the server answers (src/server/host-allow-list.ts): its own names only, so a
// page on another site that re-points its DNS name at this laptop (DNS rebinding) is refused.
import { describe, expect, it } from 'vitest';
import { hostAllowed, hostNameOf } from '../../../src/server/host-allow-list.js';

const LAN_NAMES = new Set(['192.168.1.20', 'anns-laptop', 'anns-laptop.local']);
const lanNames = () => LAN_NAMES;

describe('hostNameOf', () => {
  it.each([
    ['localhost:4000', 'localhost'],
    ['LOCALHOST', 'localhost'],
    ['127.0.0.1:4000', '127.0.0.1'],
    ['[::1]:4000', '::1'],
    ['[::1]', '::1'],
    ['Anns-Laptop.local:4001', 'anns-laptop.local'],
    [undefined, null],
    ['', null],
    ['evil.example:4000:1', null],
    ['user@evil.example', null],
    ['evil.example/path', null],
  ])('reads %j as %j', (header, name) => {
    expect(hostNameOf(header)).toBe(name);
  });
});

describe('hostAllowed', () => {
  it.each([['localhost:4000'], ['127.0.0.1:4000'], ['127.0.0.2'], ['[::1]:4000']])(
    'answers the loopback name %s with LAN on and off',
    (header) => {
      expect(hostAllowed(header, null)).toBe(true);
      expect(hostAllowed(header, lanNames)).toBe(true);
    },
  );

  it.each([
    ['evil.example:4000', 'a rebinding attacker’s name'],
    ['localhost.evil.example', 'a name that starts like localhost'],
    ['evil.localhost.example', 'a name that contains localhost'],
    ['127.0.0.1.nip.io', 'a name that starts like a loopback address'],
    ['localhost.', 'localhost with a trailing dot, which a resolver may send to DNS'],
    [undefined, 'no Host header at all'],
  ])('refuses %s (%s) with LAN on and off', (header, _why) => {
    expect(hostAllowed(header, null)).toBe(false);
    expect(hostAllowed(header, lanNames)).toBe(false);
  });

  it.each([['192.168.1.20:4000'], ['anns-laptop:4000'], ['Anns-Laptop.local:4001']])(
    'answers the laptop’s own network name %s only with LAN on',
    (header) => {
      expect(hostAllowed(header, lanNames)).toBe(true);
      expect(hostAllowed(header, null)).toBe(false);
    },
  );

  it('asks for the network names only for a name that is not loopback', () => {
    let asked = 0;
    const counting = () => {
      asked++;
      return LAN_NAMES;
    };
    hostAllowed('127.0.0.1:4000', counting);
    hostAllowed('localhost', counting);
    expect(asked).toBe(0);
    hostAllowed('192.168.1.20', counting);
    expect(asked).toBe(1);
  });
});
