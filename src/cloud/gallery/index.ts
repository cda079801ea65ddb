// The attendee gallery served by the cloud endpoint (take-home links after the event).
export { registerCloudGalleryRoutes, type CloudGalleryDeps } from './cloud-gallery-routes.js';
export { cloudGalleryView, isShowable, mediaBlobOf } from './cloud-gallery-view.js';
export { GALLERY_PAGE_CACHE, GALLERY_PAGE_CONTENT_SECURITY_POLICY } from './gallery-page.js';
export { peekImageType, type ImageType } from './image-type.js';
