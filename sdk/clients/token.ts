// Signs the JWTs the reference server accepts (HS256 with the app's API secret): a server token
// `{server: true}` and user tokens `{user_id}`. Browser-safe: jose uses WebCrypto.
import { SignJWT } from 'jose';

export interface TokenOptions {
  /** Lifetime in seconds; no expiry when omitted (like Stream's default user tokens). */
  expiresInSeconds?: number | undefined;
  /** Issued-at override in seconds since the epoch (for tests and clock skew). */
  issuedAt?: number | undefined;
}

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

async function sign(
  payload: Record<string, unknown>,
  secret: string,
  options: TokenOptions,
): Promise<string> {
  const issuedAt = options.issuedAt ?? Math.floor(Date.now() / 1000);
  let jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(issuedAt);
  if (options.expiresInSeconds !== undefined)
    jwt = jwt.setExpirationTime(issuedAt + options.expiresInSeconds);
  return jwt.sign(secretKey(secret));
}

/** A token that names one user; the server looks the user's role and teams up itself. */
export function createUserToken(
  userId: string,
  secret: string,
  options: TokenOptions = {},
): Promise<string> {
  return sign({ user_id: userId }, secret, options);
}

/**
 * A guest's token, as the reference server's createGuest issues it: `{user_id, guest: true}`.
 * The server honours it only while the user is still the guest it created (role `guest`, no
 * teams), so an id a guest picked cannot later act as the user the back end creates with it.
 */
export function createGuestToken(
  userId: string,
  secret: string,
  options: TokenOptions = {},
): Promise<string> {
  return sign({ user_id: userId, guest: true }, secret, options);
}

/** The server-side token: permission checks do not apply to it (the seed). */
export function createServerToken(secret: string, options: TokenOptions = {}): Promise<string> {
  return sign({ server: true }, secret, options);
}
