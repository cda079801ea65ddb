// What other folders may use of the offline HTML gallery.
export type { HtmlGalleryBranding, HtmlGalleryModel, HtmlGalleryPerson, HtmlGalleryPhoto } from './gallery-model.js';
export { writeHtmlGallery, type WriteHtmlGalleryOptions } from './write-gallery.js';
export { personPagePath } from './pages.js';
