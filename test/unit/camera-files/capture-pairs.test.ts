import { describe, expect, it } from 'vitest';
import {
  capturePartner,
  captureRole,
  findStoredPairs,
  namePartner,
  rawHoldMs,
  sameCaptureName,
  type PairCandidate,
} from '../../../src/camera-files/index.js';

const photo = (id: number, path: string, format: string, more: Partial<PairCandidate> = {}): PairCandidate => ({
  id,
  path,
  format,
  companionRole: null,
  capturedAt: null,
  cameraSerial: null,
  ...more,
});

describe('which files are one capture', () => {
  it('takes camera JPEGs and HEIFs as the rendered half and RAW formats as the RAW half; editor exports pair with nothing', () => {
    expect(['jpeg', 'heic', 'cr3', 'raw-tiff', 'raf', 'png', 'tiff', 'avif', null].map(captureRole)).toEqual([
      'rendered',
      'rendered',
      'raw',
      'raw',
      'raw',
      null,
      null,
      null,
      null,
    ]);
  });

  it.each([
    ['/card/IMG_0412.CR3', '/card/IMG_0412.JPG', true],
    ['/card/IMG_0412.CR3', '/card/img_0412.jpg', true],
    ['/card/IMG_0412.CR3', '/card/IMG_0413.JPG', false],
    ['/card/A/IMG_0412.CR3', '/card/B/IMG_0412.JPG', false],
    ['/card/IMG_0412.CR3', '/card/IMG_0412.CR3', false],
    ['C:\\EOS\\IMG_0412.CR3', 'C:\\EOS\\IMG_0412.JPG', true],
    ['/card/IMG_0412.CR3', '/card/IMG_0412 copy.JPG', false],
  ])('%s and %s share a name: %s', (a, b, same) => {
    expect(sameCaptureName(a, b)).toBe(same);
  });

  it('pairs a RAW with the JPEG of its name in its folder, and a JPEG with its RAW', () => {
    const jpeg = photo(1, '/card/IMG_0412.JPG', 'jpeg');
    const raw = photo(2, '/card/IMG_0412.CR3', 'cr3');
    expect(namePartner('/card/IMG_0412.CR3', 'cr3', [jpeg])?.id).toBe(1);
    expect(namePartner('/card/IMG_0412.JPG', 'jpeg', [raw])?.id).toBe(2);
  });

  it('never pairs two files of the same kind, a photo that has its partner already, or an editor export', () => {
    expect(namePartner('/card/IMG_0412.NEF', 'raw-tiff', [photo(1, '/card/IMG_0412.CR3', 'cr3')])).toBeNull();
    expect(namePartner('/card/IMG_0412.CR3', 'cr3', [photo(1, '/card/IMG_0412.JPG', 'jpeg', { companionRole: 'raw' })])).toBeNull();
    expect(namePartner('/card/IMG_0412.CR3', 'cr3', [photo(1, '/card/IMG_0412.TIF', 'tiff')])).toBeNull();
    expect(namePartner('/card/IMG_0412.PNG', 'png', [photo(1, '/card/IMG_0412.CR3', 'cr3')])).toBeNull();
  });

  it('leaves a RAW alone when two files could be its partner (a JPEG and a HEIF of the same name)', () => {
    const both = [photo(1, '/card/IMG_0412.JPG', 'jpeg'), photo(2, '/card/IMG_0412.HEIC', 'heic')];
    expect(namePartner('/card/IMG_0412.CR3', 'cr3', both)).toBeNull();
  });

  describe('across folders, by capture time and camera body', () => {
    const t = Date.UTC(2026, 11, 5, 14, 3, 22, 410);
    const raw = photo(1, '/cards/1/IMG_0412.CR3', 'cr3', { capturedAt: t, cameraSerial: '032021001234' });

    it('pairs the one JPEG shot at the same millisecond by the same body', () => {
      const jpeg = photo(2, '/cards/2/IMG_0412.JPG', 'jpeg', { capturedAt: t, cameraSerial: '032021001234' });
      expect(capturePartner(raw, [raw, jpeg])?.id).toBe(2);
    });

    it('does not pair a second body that fired at the same moment, or a frame without a serial', () => {
      const otherBody = photo(2, '/cards/2/IMG_0412.JPG', 'jpeg', { capturedAt: t, cameraSerial: '999' });
      expect(capturePartner(raw, [raw, otherBody])).toBeNull();
      expect(
        capturePartner({ ...raw, cameraSerial: null }, [photo(3, '/x.JPG', 'jpeg', { capturedAt: t, cameraSerial: null })]),
      ).toBeNull();
    });

    it('does not guess when a camera recording whole seconds gives two JPEGs at the same time', () => {
      const a = photo(2, '/cards/2/IMG_0412.JPG', 'jpeg', { capturedAt: t, cameraSerial: '032021001234' });
      const b = photo(3, '/cards/2/IMG_0413.JPG', 'jpeg', { capturedAt: t, cameraSerial: '032021001234' });
      expect(capturePartner(raw, [raw, a, b])).toBeNull();
    });
  });

  it('finds pairs stored as two photos, keeping the JPEG: by name, then by capture for what is left', () => {
    const t = Date.UTC(2026, 11, 5, 14, 0, 0);
    const stored = [
      photo(1, '/card/IMG_0001.CR3', 'cr3', { capturedAt: t, cameraSerial: 's' }),
      photo(2, '/card/IMG_0001.JPG', 'jpeg', { capturedAt: t, cameraSerial: 's' }),
      photo(3, '/card/A/IMG_0002.CR3', 'cr3', { capturedAt: t + 1000, cameraSerial: 's' }),
      photo(4, '/card/B/IMG_0002.JPG', 'jpeg', { capturedAt: t + 1000, cameraSerial: 's' }),
      photo(5, '/card/IMG_0003.JPG', 'jpeg', { capturedAt: t + 2000, cameraSerial: 's' }),
      photo(6, '/card/IMG_0004.CR3', 'cr3', { capturedAt: t + 3000, cameraSerial: 's', companionRole: 'rendered' }),
    ];
    expect(findStoredPairs(stored)).toEqual([
      { keepId: 2, dropId: 1, by: 'name' },
      { keepId: 4, dropId: 3, by: 'capture' },
    ]);
  });

  describe('how long a lone RAW waits for its JPEG', () => {
    const policy = { holdMs: 2000, unpairedBeforeNoHold: 5 };
    it('waits when the JPEG is already on disk, even in a card import', () => {
      expect(rawHoldMs(policy, { partnerOnDisk: true, live: false, unpairedRawsInARow: 9 })).toBe(2000);
    });
    it('waits while tethering, until five RAWs in a row came alone (a RAW-only camera is not slowed)', () => {
      expect(rawHoldMs(policy, { partnerOnDisk: false, live: true, unpairedRawsInARow: 4 })).toBe(2000);
      expect(rawHoldMs(policy, { partnerOnDisk: false, live: true, unpairedRawsInARow: 5 })).toBe(0);
    });
    it('does not wait in a card import with no JPEG on disk', () => {
      expect(rawHoldMs(policy, { partnerOnDisk: false, live: false, unpairedRawsInARow: 0 })).toBe(0);
    });
  });
});
