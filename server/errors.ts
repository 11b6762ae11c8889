// The one error shape of the REST API, Stream's: `{code, message, StatusCode, duration,
// more_info, details}` with Stream's numeric `code` (16 not found, 17 not allowed, 40 token
// expired, …) so Stream's clients react as they do against Stream, plus `reason`, rolecall's
// string code: the policy's reason when a decision refused the request (TEAM_MISMATCH, …).

/** Stream's error codes for the statuses and reasons this server answers with. */
const STREAM_CODE_BY_REASON: Readonly<Record<string, number>> = {
  API_KEY_INVALID: 2,
  TOKEN_EXPIRED: 40,
  TOKEN_NOT_YET_VALID: 41,
};
const STREAM_CODE_BY_STATUS: Readonly<Record<number, number>> = {
  400: 4,
  401: 5,
  403: 17,
  404: 16,
  409: 4,
  413: 22,
  429: 9,
};

/** Stream's error body; `reason` is rolecall's own code. */
export interface StreamErrorBody {
  code: number;
  message: string;
  StatusCode: number;
  duration: string;
  more_info: string;
  details: number[];
  reason: string;
}

export function streamErrorBody(status: number, reason: string, message: string): StreamErrorBody {
  return {
    // Any other refusal of the request (414, 415 …) is Stream's input error; -1 only for 5xx.
    code: STREAM_CODE_BY_REASON[reason] ?? STREAM_CODE_BY_STATUS[status] ?? (status < 500 ? 4 : -1),
    message,
    StatusCode: status,
    duration: '0.00ms',
    more_info: 'docs/server.md#errors',
    details: [],
    reason,
  };
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toJSON(): StreamErrorBody {
    return streamErrorBody(this.status, this.code, this.message);
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
