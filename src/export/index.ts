// What other folders may use of export.
export { watermarkJpeg, watermarkSvg } from './watermark.js';
export { zipGallery, uniqueEntryNames, type ZipEntry } from './gallery-zip.js';
