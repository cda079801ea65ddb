// Which address the kiosk QR code and gallery links use when LAN mode is on.
import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { lanAddresses, pickLanAddress } from '../../../src/server/lan-address.js';

const v4 = (address: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: `${address}/24`,
});
const v6 = (address: string): NetworkInterfaceInfo => ({
  address,
  netmask: 'ffff:ffff:ffff:ffff::',
  family: 'IPv6',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr: `${address}/64`,
  scopeid: 0,
});

describe('pickLanAddress', () => {
  it.each([
    ['the venue Wi-Fi over a public address listed first', { eth0: [v4('203.0.113.7')], wlan0: [v4('192.168.1.23')] }, '192.168.1.23'],
    ['a 10.x network', { en0: [v6('fe80::1'), v4('10.0.4.12')] }, '10.0.4.12'],
    ['a 172.16-31 network', { en0: [v4('172.31.255.1')] }, '172.31.255.1'],
    ['a public address when there is nothing private', { en0: [v4('172.32.0.5')], en1: [v4('8.8.4.4')] }, '172.32.0.5'],
    ['the first private address when there are several', { en0: [v4('10.1.1.1')], en1: [v4('192.168.0.2')] }, '10.1.1.1'],
  ])('picks %s', (_what, interfaces, expected) => {
    expect(pickLanAddress(interfaces)).toBe(expected);
  });

  it.each([
    ['only loopback', { lo: [v4('127.0.0.1', true)] }],
    ['only IPv6', { en0: [v6('fe80::1'), v6('2001:db8::5')] }],
    ['no interfaces at all', {}],
    ['an interface with no addresses', { en0: undefined }],
  ])('says there is no LAN address with %s', (_what, interfaces) => {
    expect(pickLanAddress(interfaces)).toBeNull();
  });
});

describe('lanAddresses', () => {
  it('lists every IPv4 a tablet could use to reach the laptop, and nothing internal or IPv6', () => {
    const interfaces = { lo: [v4('127.0.0.1', true)], eth0: [v4('192.168.1.23'), v6('fe80::1')], wlan0: [v4('10.0.0.7')] };
    expect(lanAddresses(interfaces)).toEqual(['192.168.1.23', '10.0.0.7']);
  });
});
