// The event's watermark drawn onto a preview for attendee galleries; the stored preview and
// the original stay untouched.
import sharp from 'sharp';

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** SVG text sized to the image: bottom-right, white with a soft shadow so it reads on any photo. */
export function watermarkSvg(text: string, width: number, height: number): string {
  const size = Math.max(14, Math.round(Math.min(width, height) * 0.035));
  const pad = Math.round(size * 0.8);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <style>text { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: ${size}px; font-weight: 600; }</style>
  <text x="${width - pad + 1}" y="${height - pad + 1}" text-anchor="end" fill="rgba(0,0,0,0.45)">${escapeXml(text)}</text>
  <text x="${width - pad}" y="${height - pad}" text-anchor="end" fill="rgba(255,255,255,0.85)">${escapeXml(text)}</text>
</svg>`;
}

/** The image (a file or its bytes) with the watermark, as a JPEG. */
export async function watermarkJpeg(input: string | Buffer, text: string): Promise<Buffer> {
  const image = sharp(input);
  const { width = 0, height = 0 } = await image.metadata();
  return image
    .composite([{ input: Buffer.from(watermarkSvg(text, width, height)), top: 0, left: 0 }])
    .jpeg({ quality: 85, mozjpeg: false })
    .toBuffer();
}
