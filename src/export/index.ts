// What other folders may use of export.
export { watermarkJpeg, watermarkSvg } from './watermark.js';
export { zipGallery, type ZipEntry } from './gallery-zip.js';
export { safeFileName, uniqueEntryNames, zipEntryNames } from './file-names.js';
export { blurFaces, type BlurOptions, type FaceBox } from './face-blur.js';
