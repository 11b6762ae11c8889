// The error the video clients throw: the server's `{code, message, status}`, or the same shape
// when the local policy refused a request before it left the client.

export class RolecallApiError extends Error {
  override name = 'RolecallApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Where the refusal came from: the server's answer or the client's own policy check. */
    readonly origin: 'server' | 'client' = 'server',
  ) {
    super(message);
  }
}

/** The server could not be reached or answered something that is not the API's JSON. */
export class RolecallNetworkError extends Error {
  override name = 'RolecallNetworkError';
  readonly code = 'NETWORK';
}
