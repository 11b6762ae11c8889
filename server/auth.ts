// Verifies request credentials: the API key, then an HS256 JWT signed with the API secret.
// Anything else (missing, forged, expired, `alg: none`, no subject) is a 401.
import { errors, jwtVerify } from 'jose';

export type Principal = { kind: 'server' } | { kind: 'user'; userId: string };

export type AuthResult =
  { ok: true; principal: Principal } | { ok: false; code: string; message: string };

/** Reads the token from `Authorization: Bearer …` (or a bare JWT, as Stream's SDKs send). */
export function tokenFromHeader(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return (match?.[1] ?? header).trim();
}

export async function authenticate(
  token: string | undefined,
  secret: Uint8Array,
): Promise<AuthResult> {
  if (token === undefined) {
    return {
      ok: false,
      code: 'AUTH_MISSING',
      message: 'a token is required (Authorization header)',
    };
  }
  try {
    // Pinning the algorithm refuses `alg: none` and any asymmetric confusion.
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    if (payload['server'] === true && payload['user_id'] === undefined) {
      return { ok: true, principal: { kind: 'server' } };
    }
    const userId = payload['user_id'];
    if (typeof userId === 'string' && userId !== '') {
      return { ok: true, principal: { kind: 'user', userId } };
    }
    return {
      ok: false,
      code: 'AUTH_INVALID',
      message: 'the token names neither a user nor the server',
    };
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      return { ok: false, code: 'TOKEN_EXPIRED', message: 'the token has expired' };
    }
    return { ok: false, code: 'AUTH_INVALID', message: 'the token is not valid for this app' };
  }
}
