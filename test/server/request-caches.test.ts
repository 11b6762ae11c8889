// The per-request caches of the reference server must never answer what the database or the
// clock no longer says: a verified token is refused again once its time claims fail, a token that
// differs in one byte is verified afresh, and the change counter that invalidates the cached users
// moves for every change of who a user is — and only for those, so profile writes stay cheap.
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { authenticate, verificationKey } from '../../server/auth.js';
import { openPglite, type Database } from '../../server/db/database.js';
import { migrateDatabase } from '../../server/db/migrate.js';
import { VerifiedTokens } from '../../server/verified-tokens.js';

const SECRET = 'a-secret-long-enough-for-hs256-tokens';

async function userToken(claims: { exp?: number; nbf?: number }, secret = SECRET) {
  let jwt = new SignJWT({ user_id: 'alice' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(new TextEncoder().encode(secret));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('verified tokens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are refused again once they expire, though verified and kept before', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = verificationKey(SECRET);
    const kept = new VerifiedTokens();
    const token = await userToken({ exp: nowSeconds() + 60 });
    expect(await authenticate(token, key, kept)).toEqual({
      ok: true,
      principal: { kind: 'user', userId: 'alice', guest: false },
    });
    expect(kept.lookup(token, nowSeconds(), 60)).toBeDefined();
    vi.setSystemTime(Date.now() + 61_000);
    expect(await authenticate(token, key, kept)).toMatchObject({
      ok: false,
      code: 'TOKEN_EXPIRED',
    });
  });

  it('are accepted only from their not-before time, also when kept', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const key = verificationKey(SECRET);
    const kept = new VerifiedTokens();
    const token = await userToken({ nbf: nowSeconds() + 30 });
    expect(await authenticate(token, key, kept)).toMatchObject({ ok: false });
    // A refused token is not kept: nothing to find.
    expect(kept.lookup(token, nowSeconds() + 31, 60)).toBeUndefined();
    vi.setSystemTime(Date.now() + 31_000);
    expect(await authenticate(token, key, kept)).toMatchObject({ ok: true });
  });

  it('match by their whole text: a changed signature or another secret is verified afresh', async () => {
    const key = verificationKey(SECRET);
    const kept = new VerifiedTokens();
    const token = await userToken({ exp: nowSeconds() + 60 });
    expect(await authenticate(token, key, kept)).toMatchObject({ ok: true });
    // One character of the signature changed (its first: the last one's low bits are padding).
    const signatureStart = token.lastIndexOf('.') + 1;
    const changed = token[signatureStart] === 'A' ? 'B' : 'A';
    const tampered = `${token.slice(0, signatureStart)}${changed}${token.slice(signatureStart + 1)}`;
    expect(await authenticate(tampered, key, kept)).toMatchObject({ ok: false });
    const forged = await userToken({ exp: nowSeconds() + 60 }, 'another-secret-of-enough-length');
    expect(await authenticate(forged, key, kept)).toMatchObject({ ok: false });
    expect(await authenticate(forged, key, kept)).toMatchObject({ ok: false });
  });

  it('stay within their limit, the oldest leaving first', async () => {
    const key = verificationKey(SECRET);
    const kept = new VerifiedTokens(2);
    const tokens = await Promise.all(
      [60, 61, 62].map((seconds) => userToken({ exp: nowSeconds() + seconds })),
    );
    for (const token of tokens) await authenticate(token, key, kept);
    const [oldest, ...newer] = tokens;
    expect(kept.lookup(oldest ?? '', nowSeconds(), 60)).toBeUndefined();
    for (const token of newer) expect(kept.lookup(token, nowSeconds(), 60)).toBeDefined();
  });
});

describe('the change counter behind the cached users', () => {
  let db: Database;
  const version = async () =>
    (
      await db.query<{ version: string }>('SELECT version::text AS version FROM rolecall_changes')
    )[0]?.version;

  beforeAll(async () => {
    db = await openPglite();
    await migrateDatabase(db);
    await db.query(`INSERT INTO users (id, teams) VALUES ('ann', '{red}')`);
  });
  afterAll(async () => {
    await db.close();
  });

  it('stays put for a profile write of custom, or an update that changes nothing', async () => {
    const before = await version();
    await db.query(`UPDATE users SET custom = '{"status": "away"}' WHERE id = 'ann'`);
    await db.query(`UPDATE users SET updated_at = now() WHERE id = 'ann'`);
    await db.query(`UPDATE users SET role = role WHERE id = 'ann'`);
    expect(await version()).toBe(before);
  });

  it.each([
    ['role', `UPDATE users SET role = 'admin' WHERE id = 'ann'`],
    ['teams', `UPDATE users SET teams = '{red,blue}' WHERE id = 'ann'`],
    ['name', `UPDATE users SET name = 'Ann' WHERE id = 'ann'`],
    ['deletion', `UPDATE users SET deleted_at = now() WHERE id = 'ann'`],
    ['restore', `UPDATE users SET deleted_at = NULL WHERE id = 'ann'`],
    ['hard delete', `DELETE FROM users WHERE id = 'ann'`],
  ])('moves for a change of %s', async (_what, statement) => {
    const before = Number(await version());
    await db.query(statement);
    expect(Number(await version())).toBe(before + 1);
  });
});
