/**
 * The api app's server side for other packages of the monorepo (the dashboard's tests serve the page through it):
 * the HTTP server, its graceful close, the dashboard handler, and the types they take. Server code only — typed
 * clients import `@convolens/api` instead, which is type-only.
 */
export type { Logger } from "./http/logger.ts";
export type { AppRuntime } from "./runtime.ts";
export { closeGracefully, createServer, type ServerOptions } from "./server.ts";
export { createWebHandler, defaultWebDir, isLoopback, type WebOptions } from "./web.ts";
