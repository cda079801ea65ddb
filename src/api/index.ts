// The HTTP shapes: the local API's types, shared by the server, the use cases that answer it and
// the renderer (types only), and the sync protocol between a laptop and the cloud endpoint (zod
// schemas both sides parse with; the renderer never imports them). This folder imports nothing of ours.
export type * from './api-types.js';
export * from './sync-protocol.js';
export * from './blob-bundle.js';
