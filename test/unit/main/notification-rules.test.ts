import { describe, expect, it } from 'vitest';
import { FAILURES_IN_A_ROW_WORTH_A_NOTICE, noticesFor, type HealthSnapshot } from '../../../src/main/notification-rules.js';

const healthy: HealthSnapshot = {
  folders: [{ path: '/Volumes/CARD/DCIM', state: 'watching' }],
  storage: { freeBytes: 80e9, low: false },
  failuresInARow: 0,
};
const offline: HealthSnapshot = { ...healthy, folders: [{ path: '/Volumes/CARD/DCIM', state: 'offline' }] };

describe('notifications for what needs a person', () => {
  it.each<[string, HealthSnapshot, string[]]>([
    ['nothing when all is well', healthy, []],
    ['a folder that went offline, by its path', offline, ['folder-offline:/Volumes/CARD/DCIM']],
    ['a low disk', { ...healthy, storage: { freeBytes: 1.2e9, low: true } }, ['disk-low']],
    ['many failures in a row', { ...healthy, failuresInARow: FAILURES_IN_A_ROW_WORTH_A_NOTICE }, ['failures-in-a-row']],
    ['not one failed photo', { ...healthy, failuresInARow: 1 }, []],
    ['no storage figure is not a low disk', { ...healthy, storage: null }, []],
  ])('%s', (_what, snapshot, keys) => {
    expect(noticesFor(snapshot, new Set()).notices.map((n) => n.key)).toEqual(keys);
  });

  it('does not repeat a notice while its condition lasts, and announces it again once it came back', () => {
    const first = noticesFor(offline, new Set());
    expect(first.notices).toHaveLength(1);
    expect(first.notices[0]!.body).toContain('/Volumes/CARD/DCIM');
    const again = noticesFor(offline, first.announced);
    expect(again.notices).toEqual([]);
    const cleared = noticesFor(healthy, again.announced);
    expect(cleared.announced.size).toBe(0);
    expect(noticesFor(offline, cleared.announced).notices).toHaveLength(1);
  });

  it('says how much space is left in gigabytes', () => {
    const [notice] = noticesFor({ ...healthy, storage: { freeBytes: 1.24e9, low: true } }, new Set()).notices;
    expect(notice!.body).toContain('1.2 GB left');
  });
});
