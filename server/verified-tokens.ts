// Tokens whose HS256 signature was already verified, so a client's every request does not pay
// jose's WebCrypto round (key import, HMAC job) again. Keyed by the whole token text: a token that
// differs in any byte is verified afresh. The claims that depend on the clock (exp, nbf, iat) are
// checked again on every use; a token that fails any check is never kept.
import type { Principal } from './auth.js';

export interface VerifiedToken {
  principal: Principal;
  /** The token's `exp`, `nbf` and `iat` (seconds), when it has them. */
  exp?: number;
  nbf?: number;
  iat?: number;
}

/** Tokens kept at most: past it the oldest go first (valid tokens only: they need the secret). */
export const VERIFIED_TOKENS_LIMIT = 10_000;

export class VerifiedTokens {
  private readonly tokens = new Map<string, VerifiedToken>();

  constructor(private readonly limit = VERIFIED_TOKENS_LIMIT) {}

  /**
   * The verified token, if it is kept and its time claims still hold at `nowSeconds`; otherwise
   * undefined, and the caller verifies it (which then reports what is wrong with it).
   */
  lookup(token: string, nowSeconds: number, issuedAtLeeway: number): VerifiedToken | undefined {
    const kept = this.tokens.get(token);
    if (kept === undefined) return undefined;
    // jose's rules without clock tolerance: expired at `exp`, valid from `nbf`.
    const stale =
      (kept.exp !== undefined && kept.exp <= nowSeconds) ||
      (kept.nbf !== undefined && kept.nbf > nowSeconds) ||
      (kept.iat !== undefined && kept.iat > nowSeconds + issuedAtLeeway);
    if (stale) {
      this.tokens.delete(token);
      return undefined;
    }
    return kept;
  }

  remember(token: string, verified: VerifiedToken): void {
    if (this.tokens.size >= this.limit) {
      const oldest = this.tokens.keys().next().value;
      if (oldest !== undefined) this.tokens.delete(oldest);
    }
    this.tokens.set(token, verified);
  }
}
