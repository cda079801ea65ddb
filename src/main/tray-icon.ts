// The tray icon, drawn in code: a filled disc with a ring (a lens), so the app needs no image
// file before the designers' icon set lands. Electron takes raw BGRA bitmaps
// (nativeImage.createFromBitmap); an empty image leaves the tray invisible on Linux and Windows.

export const TRAY_ICON_SIZE = 32;

/** BGRA pixels, row by row: a dark lens with a light ring on a transparent square. */
export function trayIconBitmap(size: number = TRAY_ICON_SIZE): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const centre = (size - 1) / 2;
  const outer = size / 2 - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - centre, y - centre);
      if (r > outer) continue;
      const ring = r > outer * 0.62 && r < outer * 0.8;
      const shade = ring ? 0xe8 : 0x30;
      const i = (y * size + x) * 4;
      pixels[i] = shade; // blue
      pixels[i + 1] = shade; // green
      pixels[i + 2] = shade; // red
      pixels[i + 3] = 0xff;
    }
  }
  return pixels;
}
