// What other folders may use of the server.
export { PortUnavailableError, startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { buildHttpServer, type HttpServerOptions } from './http-server.js';
export type { ServerContext } from './server-context.js';
export type * from '../api/index.js';
