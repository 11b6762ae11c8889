// Verifies request credentials: an HS256 JWT signed with the API secret (`stream-auth-type: jwt`,
// the default), or none at all for `stream-auth-type: anonymous` (seed 004's unauthenticated
// client, which acts as role `anonymous`).
// Anything else (missing, forged, expired, issued in the future, `alg: none`, no subject, a
// user id outside the id charset) is a 401: every problem of a token is the token's.
import { createSecretKey, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { isUserId } from './schemas/limits.js';
import type { VerifiedToken, VerifiedTokens } from './verified-tokens.js';

export type Principal =
  | { kind: 'server' }
  /** `guest`: a token createGuest issued, good only while the user is still that guest. */
  | { kind: 'user'; userId: string; guest: boolean }
  | { kind: 'anonymous' };

export type AuthResult =
  { ok: true; principal: Principal } | { ok: false; code: string; message: string };

/** The fewest characters of an API secret (HS256 wants a strong key), for the CLI and startServer. */
export const MIN_SECRET_LENGTH = 16;

/** Clocks of token issuers may run this far ahead of the server's (seconds) before `iat` fails. */
export const ISSUED_AT_LEEWAY_SECONDS = 60;

/** What is wrong with a pair of app credentials, or undefined when they are usable. */
export function credentialsProblem(apiKey: string, apiSecret: string): string | undefined {
  if (apiKey === '') return 'the API key is empty';
  if (apiSecret.length < MIN_SECRET_LENGTH) {
    return `the API secret must have at least ${String(MIN_SECRET_LENGTH)} characters`;
  }
  return undefined;
}

/** Reads the token from `Authorization: Bearer …` (or a bare JWT, as Stream's SDKs send). */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return (match?.[1] ?? header).trim();
}

/** The HS256 verification key, imported once at start (jose re-imports raw bytes per call). */
export function verificationKey(apiSecret: string): KeyObject {
  return createSecretKey(Buffer.from(apiSecret, 'utf8'));
}

/**
 * Verifies a token. With `verified`, a token verified before is taken from it (its time claims
 * checked again) and a newly verified one is added to it.
 */
export async function authenticate(
  token: string | undefined,
  secret: KeyObject | Uint8Array,
  verified?: VerifiedTokens,
): Promise<AuthResult> {
  if (token === undefined) {
    return {
      ok: false,
      code: 'AUTH_MISSING',
      message: 'a token is required (Authorization header)',
    };
  }
  const now = Math.floor(Date.now() / 1000);
  const kept = verified?.lookup(token, now, ISSUED_AT_LEEWAY_SECONDS);
  if (kept !== undefined) return { ok: true, principal: kept.principal };
  const result = await verifyToken(token, secret, now);
  if (!result.ok) return result;
  const { principal, ...times } = result.token;
  verified?.remember(token, { principal, ...times });
  return { ok: true, principal };
}

async function verifyToken(
  token: string,
  secret: KeyObject | Uint8Array,
  now: number,
): Promise<{ ok: true; token: VerifiedToken } | { ok: false; code: string; message: string }> {
  try {
    // Pinning the algorithm refuses `alg: none` and any asymmetric confusion.
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    // jose checks that `iat` is a number, not that it is in the past: a token minted "ten years
    // from now" would otherwise outlive any expiry an issuer meant to give it.
    if (typeof payload.iat === 'number' && payload.iat > now + ISSUED_AT_LEEWAY_SECONDS) {
      return {
        ok: false,
        code: 'TOKEN_NOT_YET_VALID',
        message: `the token's iat is in the future (more than ${String(ISSUED_AT_LEEWAY_SECONDS)} s ahead of the server's clock)`,
      };
    }
    // jose has checked that these are numbers when present.
    const times = {
      ...(payload.exp === undefined ? {} : { exp: payload.exp }),
      ...(payload.nbf === undefined ? {} : { nbf: payload.nbf }),
      ...(payload.iat === undefined ? {} : { iat: payload.iat }),
    };
    if (payload['server'] === true && payload['user_id'] === undefined) {
      return { ok: true, token: { principal: { kind: 'server' }, ...times } };
    }
    const userId = payload['user_id'];
    if (isUserId(userId)) {
      const guest = payload['guest'] === true;
      return { ok: true, token: { principal: { kind: 'user', userId, guest }, ...times } };
    }
    return {
      ok: false,
      code: 'AUTH_INVALID',
      message:
        typeof userId === 'string' && userId !== ''
          ? 'the token names a user id outside the id charset (letters, digits, @ _ -)'
          : 'the token names neither a user nor the server',
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return { ok: false, code: 'TOKEN_EXPIRED', message: 'the token has expired' };
    }
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
      return {
        ok: false,
        code: 'TOKEN_NOT_YET_VALID',
        message: 'the token is not valid yet (nbf)',
      };
    }
    return { ok: false, code: 'AUTH_INVALID', message: 'the token is not valid for this app' };
  }
}

/**
 * Stream's two auth types: `jwt` (the default when the header is absent) needs a valid token;
 * `anonymous` must carry none, so a forged or expired token never falls back to anonymous.
 */
export async function authenticateRequest(
  headers: {
    authorization?: string | undefined;
    'stream-auth-type'?: string | string[] | undefined;
  },
  secret: KeyObject | Uint8Array,
  verified?: VerifiedTokens,
): Promise<AuthResult> {
  const authType = headers['stream-auth-type'] ?? 'jwt';
  const token = tokenFromHeader(headers.authorization);
  if (authType === 'anonymous') {
    if (token !== undefined) {
      return {
        ok: false,
        code: 'AUTH_INVALID',
        message: 'an anonymous request (stream-auth-type: anonymous) carries no token',
      };
    }
    return { ok: true, principal: { kind: 'anonymous' } };
  }
  if (authType !== 'jwt') {
    return {
      ok: false,
      code: 'AUTH_INVALID',
      message: 'stream-auth-type must be "jwt" or "anonymous"',
    };
  }
  return authenticate(token, secret, verified);
}
