// The attendee gallery served by the cloud endpoint (take-home links after the event).
export { registerCloudGalleryRoutes, type CloudGalleryDeps } from './cloud-gallery-routes.js';
export { cloudGalleryView, isShowable, mediaBlobOf } from './cloud-gallery-view.js';
export { peekImageType, type ImageType } from './image-type.js';
