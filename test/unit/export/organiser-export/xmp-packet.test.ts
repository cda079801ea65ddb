// The XMP packet the export writes itself: every value escaped, only the namespaces used, and what
// ExifTool (the reference reader, as Lightroom-style readers parse the same XMP) reads back is what
// was meant: names with markup characters, quotes and unicode intact.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { xmlText, xmpDateOf, xmpPacketOf, XMP_PADDING } from '../../../../src/export/organiser-export/xmp-packet.js';
import type { PhotoXmp } from '../../../../src/export/organiser-export/xmp-tags.js';
import { useExifTool } from '../../../support/exiftool.js';

const tools = useExifTool();

const HOSTILE = `<b>Tom & "Jerry"</b> O'Neil`;
const UNICODE = 'Zoe\u0308 Ünïcode 李 😀';

const photo = (more: Partial<PhotoXmp> = {}): PhotoXmp => ({
  regions: {
    appliedTo: { width: 2048, height: 1365 },
    list: [
      { Area: { X: 0.5, Y: 0.25, W: 0.1, H: 0.15, Unit: 'normalized' }, Name: HOSTILE, Type: 'Face' },
      { Area: { X: 0.000001, Y: 1, W: 0.123457, H: 0, Unit: 'normalized' }, Name: UNICODE, Type: 'Face' },
    ],
  },
  people: [HOSTILE, UNICODE],
  pick: true,
  capturedAt: { dateTime: '2024:06:01 12:34:56', subSec: null, offset: '+02:00' },
  ...more,
});

/** What ExifTool reads from the packet written as a sidecar. */
async function readBack(packet: string): Promise<Record<string, unknown>> {
  const path = join(tools.dir, `${Math.random().toString(36).slice(2)}.xmp`);
  await writeFile(path, packet);
  return (await tools.exiftool.read(path)) as unknown as Record<string, unknown>;
}

describe('escaping text for XML', () => {
  it.each([
    ['<', '&lt;'],
    ['&', '&amp;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["'", '&#39;'],
    ['Tom & Jerry <3', 'Tom &amp; Jerry &lt;3'],
    ['&amp;', '&amp;amp;'],
    ['Zoë 李 😀', 'Zoë 李 😀'],
  ])('writes %j as %j', (text, xml) => {
    expect(xmlText(text)).toBe(xml);
  });

  it('drops control characters XML cannot carry and keeps tabs and new lines', () => {
    expect(xmlText('a\u0000b\u0007c\td\ne\u001F')).toBe('ab' + 'c\td\ne');
  });

  it('replaces a lone surrogate (half an emoji) with the replacement character', () => {
    expect(xmlText('x\uD83Dy')).toBe('x\uFFFDy');
    expect(xmlText('😀')).toBe('😀');
  });
});

describe('the XMP packet of an exported photo', () => {
  it('is read back as the regions, keywords, pick and capture time it was given, hostile names intact', async () => {
    const tags = await readBack(xmpPacketOf(photo(), 0));
    expect(tags.RegionInfo).toEqual({
      AppliedToDimensions: { W: 2048, H: 1365, Unit: 'pixel' },
      RegionList: [
        { Area: { X: 0.5, Y: 0.25, W: 0.1, H: 0.15, Unit: 'normalized' }, Name: HOSTILE, Type: 'Face' },
        { Area: { X: 0.000001, Y: 1, W: 0.123457, H: 0, Unit: 'normalized' }, Name: UNICODE, Type: 'Face' },
      ],
    });
    expect(tags.Subject).toEqual([HOSTILE, UNICODE]);
    expect(tags.PersonInImage).toEqual([HOSTILE, UNICODE]);
    expect(tags.HierarchicalSubject).toEqual([`People|${HOSTILE}`, `People|${UNICODE}`]);
    expect(tags.Rating).toBe(5);
    expect(tags.Label).toBe('Burst pick');
    expect(String(tags.DateTimeOriginal)).toMatch(/^2024-06-01T12:34:56/);
    expect(tags.warnings ?? []).toEqual([]);
  });

  it('writes no rating or label for a photo that is not a burst pick', async () => {
    const packet = xmpPacketOf(photo({ pick: false }));
    expect(packet).not.toContain('xmlns:xmp=');
    const tags = await readBack(packet);
    expect(tags.Rating).toBeUndefined();
    expect(tags.Label).toBeUndefined();
    expect(tags.Subject).toEqual([HOSTILE, UNICODE]);
  });

  it('writes no regions for a photo whose exported people have no face boxes, and no keywords without people', async () => {
    const packet = xmpPacketOf(photo({ regions: null, people: [] }));
    expect(packet).not.toContain('mwg-rs');
    expect(packet).not.toContain('dc:subject');
    const tags = await readBack(packet);
    expect(tags.RegionInfo).toBeUndefined();
    expect(tags.Subject).toBeUndefined();
    expect(tags.HierarchicalSubject).toBeUndefined();
    expect(tags.Rating).toBe(5);
  });

  it('is an empty but valid packet when there is nothing to say', async () => {
    const packet = xmpPacketOf({ regions: null, people: [], pick: false, capturedAt: null });
    expect(packet).not.toContain('rdf:Description');
    const tags = await readBack(packet);
    expect(tags.warnings ?? []).toEqual([]);
    expect(tags.DateTimeOriginal).toBeUndefined();
  });

  it('declares only the namespaces it writes in', () => {
    const packet = xmpPacketOf(photo({ regions: null, pick: false, capturedAt: null }));
    expect([...packet.matchAll(/xmlns:([\w-]+)=/g)].map((m) => m[1]).sort()).toEqual(['Iptc4xmpExt', 'dc', 'lr', 'rdf', 'x']);
  });

  it('is wrapped in xpacket markers with about 2 KB of padding before the trailer (none when asked)', () => {
    const padded = xmpPacketOf(photo());
    const bare = xmpPacketOf(photo(), 0);
    expect(padded.startsWith("<?xpacket begin='\uFEFF' id='W5M0MpCehiHzreSzNTczkc9d'?>")).toBe(true);
    expect(padded.endsWith("<?xpacket end='w'?>")).toBe(true);
    expect(padded.length - bare.length).toBeGreaterThanOrEqual(XMP_PADDING);
    expect(padded.length - bare.length).toBeLessThan(XMP_PADDING + 200);
    expect(padded.slice(bare.length - "<?xpacket end='w'?>".length, -"<?xpacket end='w'?>".length).trim()).toBe('');
  });

  it('never writes a coordinate in exponent form', () => {
    expect(xmpPacketOf(photo(), 0)).toContain('<stArea:x>0.000001</stArea:x>');
    expect(xmpPacketOf(photo(), 0)).not.toMatch(/\de-\d/);
  });
});

describe('the capture time in XMP', () => {
  it("is the camera's wall clock in ISO 8601 form with its UTC offset, and the fraction of a second when there is one", () => {
    expect(xmpDateOf({ dateTime: '2024:06:01 12:34:56', subSec: null, offset: '+02:00' })).toBe('2024-06-01T12:34:56+02:00');
    expect(xmpDateOf({ dateTime: '2026:06:01 14:32:10', subSec: '300', offset: '+02:00' })).toBe('2026-06-01T14:32:10.300+02:00');
    expect(xmpDateOf({ dateTime: '2026:12:31 23:59:59', subSec: '045', offset: '-05:30' })).toBe('2026-12-31T23:59:59.045-05:30');
  });

  it('is read back by ExifTool as that wall clock, fraction and offset', async () => {
    const capturedAt = { dateTime: '2026:06:01 14:32:10', subSec: '300', offset: '+02:00' };
    const path = join(tools.dir, 'burst-frame.xmp');
    await writeFile(path, xmpPacketOf(photo({ capturedAt }), 0));
    const raw = (await tools.exiftool.readRaw(path, { readArgs: ['-G', '-XMP:DateTimeOriginal'] })) as Record<string, unknown>;
    expect(raw['XMP:DateTimeOriginal']).toBe('2026:06:01 14:32:10.300+02:00');
  });
});
