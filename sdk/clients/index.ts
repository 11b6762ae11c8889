// The video clients of the reference server: createServerClient (back end) and createClient (one
// user, browser-safe), with their typed errors and token helpers.
export { createClient, type ClientOptions, type VideoClient } from './client.js';
export {
  createServerClient,
  type ServerClient,
  type ServerClientOptions,
} from './server-client.js';
export { RolecallApiError, RolecallNetworkError, type RolecallNetworkErrorCode } from './errors.js';
export type { RequestOptions, TransportOptions } from './http.js';
export { createServerToken, createUserToken, type TokenOptions } from './token.js';
export type * from './types.js';
