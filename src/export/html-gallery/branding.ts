// The event's colours as a page theme. The organiser types the colours; a value that is not a
// plain CSS colour is ignored (it lands in a <style> block), and the text colour follows the
// background's lightness so a dark brand background still reads.
import type { HtmlGalleryBranding } from './gallery-model.js';

export interface GalleryTheme {
  background: string;
  accent: string;
  /** Text on the background. */
  text: string;
  /** Secondary text (counts, dates) on the background. */
  muted: string;
  /** Cards and fields, a step away from the background. */
  surface: string;
  /** Text on the accent colour (buttons). */
  onAccent: string;
  /** For the browser's own parts (scrollbars, the search field's clear button). */
  scheme: 'light' | 'dark';
}

const DEFAULT_BACKGROUND = '#f7f5f2';
const DEFAULT_ACCENT = '#c2410c';

const CSS_COLOUR = [
  /^#(?:[0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})$/i,
  /^(?:rgb|rgba|hsl|hsla)\([0-9.,%\s/deg]+\)$/i,
  /^[a-z]{3,20}$/i,
];

/** The colour when it is one CSS understands without risk (hex, rgb(), hsl() or a keyword), else null. */
export function cssColour(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return CSS_COLOUR.some((pattern) => pattern.test(trimmed)) ? trimmed : null;
}

const NAMED: Record<string, [number, number, number]> = {
  white: [255, 255, 255],
  black: [0, 0, 0],
  navy: [0, 0, 128],
  maroon: [128, 0, 0],
  purple: [128, 0, 128],
  green: [0, 128, 0],
  teal: [0, 128, 128],
  red: [255, 0, 0],
  blue: [0, 0, 255],
  orange: [255, 165, 0],
  gold: [255, 215, 0],
  yellow: [255, 255, 0],
  ivory: [255, 255, 240],
  beige: [245, 245, 220],
};

/** sRGB channels of a hex, rgb() or common named colour; null for what it cannot read (hsl, rare names). */
export function rgbOf(colour: string): [number, number, number] | null {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(colour)?.[1];
  if (hex !== undefined) {
    const full = hex.length <= 4 ? [...hex.slice(0, 3)].map((c) => c + c).join('') : hex.slice(0, 6);
    return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(colour);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  return NAMED[colour.toLowerCase()] ?? null;
}

/** WCAG relative luminance, 0 (black) to 1 (white). */
export function luminance([r, g, b]: [number, number, number]): number {
  const linear = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/**
 * Dark text when the colour is light. 0.18 is where black and white text have about the same
 * contrast ratio on it (√(1.05 × 0.05) − 0.05), so the choice is the more readable of the two.
 */
const isLight = (colour: string, unknown: boolean): boolean => {
  const rgb = rgbOf(colour);
  return rgb === null ? unknown : luminance(rgb) > 0.18;
};

export function galleryTheme(branding: HtmlGalleryBranding): GalleryTheme {
  const background = cssColour(branding.background) ?? DEFAULT_BACKGROUND;
  const accent = cssColour(branding.accent) ?? DEFAULT_ACCENT;
  const light = isLight(background, true);
  return {
    background,
    accent,
    text: light ? '#1c1917' : '#f5f5f4',
    muted: light ? 'rgba(28, 25, 23, 0.62)' : 'rgba(245, 245, 244, 0.68)',
    surface: light ? 'rgba(255, 255, 255, 0.9)' : 'rgba(255, 255, 255, 0.08)',
    onAccent: isLight(accent, false) ? '#1c1917' : '#ffffff',
    scheme: light ? 'light' : 'dark',
  };
}
