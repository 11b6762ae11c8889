// The one error shape of the REST API: `{code, message, status}`; `code` is the policy's reason
// when a decision refused the request (TEAM_MISMATCH, CROSS_TEAM_QUERY, …).

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toJSON(): { code: string; message: string; status: number } {
    return { code: this.code, message: this.message, status: this.status };
  }
}

export const badRequest = (code: string, message: string): ApiError =>
  new ApiError(400, code, message);

/**
 * Used for missing rows and for rows of another tenant alike, so a read cannot tell them apart
 * (create-or-fetch still tells a taken call id from a free one: docs/server.md, "Call ids").
 */
export const notFound = (what: string): ApiError =>
  new ApiError(404, 'NOT_FOUND', `${what} not found`);
