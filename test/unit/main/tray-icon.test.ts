import { describe, expect, it } from 'vitest';
import { TRAY_ICON_SIZE, trayIconBitmap } from '../../../src/main/tray-icon.js';

const alpha = (bitmap: Buffer, x: number, y: number): number => bitmap[(y * TRAY_ICON_SIZE + x) * 4 + 3]!;

describe('the tray icon', () => {
  const bitmap = trayIconBitmap();

  it('is a square BGRA bitmap of the size the tray takes', () => {
    expect(bitmap.length).toBe(TRAY_ICON_SIZE * TRAY_ICON_SIZE * 4);
  });

  it('is visible in the middle and transparent in the corners', () => {
    expect(alpha(bitmap, TRAY_ICON_SIZE / 2, TRAY_ICON_SIZE / 2)).toBe(0xff);
    expect(alpha(bitmap, 0, 0)).toBe(0);
    expect(alpha(bitmap, TRAY_ICON_SIZE - 1, TRAY_ICON_SIZE - 1)).toBe(0);
  });
});
