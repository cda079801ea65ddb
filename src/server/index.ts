export { startHttpServer, type HealthSource, type HttpServerOptions } from './http-server.js';
