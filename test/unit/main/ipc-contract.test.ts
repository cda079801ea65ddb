import { describe, expect, it } from 'vitest';
import { acceptIpcCall, IPC, IpcRefusedError } from '../../../src/main/ipc-contract.js';

const engine = 'http://127.0.0.1:4321';
const origins = { engine, setup: 'shutterfind://setup' };
const consolePage = `${engine}/console`;

describe('calls through the preload bridge', () => {
  it.each<[string, (typeof IPC)[keyof typeof IPC], unknown[], unknown]>([
    ['a folder picker with a title', IPC.pickFolder, [{ title: 'Tether folder' }], [{ title: 'Tether folder' }]],
    ['a folder picker without options', IPC.pickFolder, [], []],
    ['the kiosk on display 2', IPC.openKiosk, [{ displayId: 2 }], [{ displayId: 2 }]],
    ['the kiosk on the default display', IPC.openKiosk, [{}], [{}]],
    ['the app version', IPC.appVersion, [], []],
    ['an update choice', IPC.chooseUpdate, [{ version: '1.4.0', choice: 'skip-version' }], [{ version: '1.4.0', choice: 'skip-version' }]],
  ])('accepts %s', (_what, channel, args, parsed) => {
    expect(acceptIpcCall(channel, consolePage, origins, args)).toEqual(parsed);
  });

  it.each<[string, (typeof IPC)[keyof typeof IPC], unknown[], RegExp]>([
    ['a display id that is not a number', IPC.openKiosk, [{ displayId: '2' }], /displayId/],
    ['extra fields smuggled in', IPC.openKiosk, [{ displayId: 2, url: 'https://evil.example' }], /url|Unrecognized/i],
    ['arguments where none are taken', IPC.appVersion, ['x'], /refused/],
    ['an update choice that does not exist', IPC.chooseUpdate, [{ version: '1.4.0', choice: 'downgrade' }], /choice/],
    ['a version that is not a version', IPC.chooseUpdate, [{ version: '../../x', choice: 'install-now' }], /a version such as 1\.2\.3/],
  ])('refuses %s, saying which argument', (_what, channel, args, message) => {
    expect(() => acceptIpcCall(channel, consolePage, origins, args)).toThrow(message);
  });

  it.each([
    ['a remote page', 'https://evil.example/'],
    ['another local server', 'http://127.0.0.1:8080/'],
    ['an empty sender (a detached frame)', ''],
  ])('refuses a call from %s, whatever its arguments', (_what, sender) => {
    expect(() => acceptIpcCall(IPC.appVersion, sender, origins, [])).toThrow(IpcRefusedError);
  });

  it('lets the first-run page pick folders and complete the setup, and nothing else', () => {
    const setupPage = 'shutterfind://setup/';
    expect(acceptIpcCall(IPC.pickFolder, setupPage, origins, [])).toEqual([]);
    expect(acceptIpcCall(IPC.completeSetup, setupPage, origins, [{ eventName: 'Gala' }])).toEqual([{ eventName: 'Gala' }]);
    expect(() => acceptIpcCall(IPC.openKiosk, setupPage, origins, [{}])).toThrow(/refused/);
    expect(() => acceptIpcCall(IPC.completeSetup, consolePage, origins, [{}])).toThrow(/refused/);
  });

  it('refuses every call while the engine has no address', () => {
    expect(() => acceptIpcCall(IPC.appVersion, consolePage, { ...origins, engine: null }, [])).toThrow(/not from Shutterfind's own pages/);
  });
});
