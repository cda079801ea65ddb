// What an event holds, read the way the console and the commands need it.
export { createCatalogue, UnknownEventError, type Catalogue, type CameraCount, type PhotoWithFaces } from './catalogue.js';
