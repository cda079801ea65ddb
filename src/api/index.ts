// The local HTTP API's shapes, shared by the server, the use cases that answer it and the
// renderer (types only; this folder imports nothing).
export type * from './api-types.js';
