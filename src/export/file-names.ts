// Names of the files an attendee takes home (a ZIP's entries, a single download). A photo's name
// comes from the hot folder as the camera or a person wrote it: on Linux and macOS `..\..\evil.jpg`,
// `C:\x.jpg` or a name with control characters are ordinary file names, which an unzip tool on
// Windows would read as a path, and which yazl refuses (the whole gallery's ZIP failed with a 500).

/** Characters Windows refuses in a file name, and every control character (C0, DEL, C1). */
const FORBIDDEN = /[<>:"|?*\u0000-\u001f\u007f-\u009f]/g;
/** Bidirectional overrides and marks: `photo\u202Egpj.exe` shows as `photoexe.jpg`. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** Device names Windows reserves whatever the extension (`CON.jpg` cannot be created). */
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
/**
 * A file name's limit is 255 bytes on common file systems; this leaves room for a " (123)"
 * added to make a name unique.
 */
const MAX_NAME_BYTES = 200;

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * One plain file name from whatever a photo was called: the part after its last `/` or `\`
 * (what any system would show as the name), without control, bidirectional or Windows-forbidden
 * characters (each becomes `_`), without leading dots or spaces (no hidden file, no `..`) or
 * trailing ones (Windows drops them), never a reserved device name, never empty, at most
 * 200 bytes with the extension kept.
 */
export function safeFileName(name: string, fallback = 'photo'): string {
  const last =
    name
      .normalize('NFC')
      .split(/[/\\]/)
      .filter((part) => part !== '' && part !== '.' && part !== '..')
      .pop() ?? '';
  let safe = last
    .replace(BIDI_CONTROLS, '')
    .replace(FORBIDDEN, '_')
    .replace(/^[. ]+/, '')
    .replace(/[. ]+$/, '');
  if (RESERVED.test(safe.split('.')[0]!)) safe = `_${safe}`;
  if (Buffer.byteLength(safe) > MAX_NAME_BYTES) {
    const dot = safe.lastIndexOf('.');
    const ext = dot > 0 && Buffer.byteLength(safe.slice(dot)) <= MAX_NAME_BYTES / 2 ? safe.slice(dot) : '';
    const stem = safe.slice(0, safe.length - ext.length);
    safe = truncateUtf8(stem, MAX_NAME_BYTES - Buffer.byteLength(ext)).replace(/[. ]+$/, '') + ext;
  }
  return safe || fallback;
}

/**
 * Names unique within one folder: a second "IMG_0001.jpg" becomes "IMG_0001 (2).jpg" (or (3)…
 * if that is taken too). Compared without case, as Windows and macOS do when they unzip:
 * "img_0001.JPG" would otherwise overwrite "IMG_0001.jpg".
 */
export function uniqueEntryNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  const withNumber = (name: string, n: number): string => {
    const dot = name.lastIndexOf('.');
    return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
  };
  return names.map((name) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = withNumber(name, n);
    taken.add(candidate.toLowerCase());
    return candidate;
  });
}

/** The entry names of a ZIP that any unzip tool on any system extracts as plain, distinct files. */
export const zipEntryNames = (names: readonly string[]): string[] => uniqueEntryNames(names.map((name) => safeFileName(name)));
