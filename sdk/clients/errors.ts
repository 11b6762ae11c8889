// The errors the video clients throw: the server's Stream error body (or the same when the local
// policy refused a request before it left the client), and transport failures.

export class RolecallApiError extends Error {
  override name = 'RolecallApiError';
  constructor(
    readonly status: number,
    /** rolecall's reason (`TEAM_MISMATCH`, `NOT_FOUND`, …): the body's `reason`. */
    readonly code: string,
    message: string,
    /** Where the refusal came from: the server's answer or the client's own policy check. */
    readonly origin: 'server' | 'client' = 'server',
    /** Stream's numeric error code (16 not found, 17 not allowed, 40 token expired, …). */
    readonly streamCode?: number,
  ) {
    super(message);
  }
}

/**
 * Why a request got no usable answer: `NETWORK` (unreachable, connection lost, an answer that is
 * not the API's JSON), `TIMEOUT` (no full answer within `timeoutMs`), `ABORTED` (the caller's
 * `signal`; its reason is the `cause`), `RESPONSE_TOO_LARGE` (over `maxResponseBytes`).
 */
export type RolecallNetworkErrorCode = 'NETWORK' | 'TIMEOUT' | 'ABORTED' | 'RESPONSE_TOO_LARGE';

/** The server could not be reached or did not send a complete, bounded answer of the API. */
export class RolecallNetworkError extends Error {
  override name = 'RolecallNetworkError';
  readonly code: RolecallNetworkErrorCode;
  constructor(message: string, options: { code?: RolecallNetworkErrorCode; cause?: unknown } = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = options.code ?? 'NETWORK';
  }
}
