import type { Knex } from 'knex';
import { sha256 } from '../../core/crypto';

/** What presenting a refresh token came to: a fresh one spent, a replay, or nothing valid. */
export type RefreshSpend =
  | { kind: 'invalid' }
  | { kind: 'replayed'; userId: string; familyId: string }
  | { kind: 'ok'; userId: string; familyId: string };

/**
 * Spends a refresh token of a product's `<schema>.refresh_tokens` table (token_hash, user_id,
 * family_id, expires_at, used_at, revoked_at) under its row lock, so two refreshes with one token
 * make one new pair. A token already spent is a replay: its whole family (every token of that
 * login) is revoked, and the caller signs in again. The caller issues the new pair in the family.
 */
export async function spendRefreshToken(db: Knex, table: string, presented: string): Promise<RefreshSpend> {
  return db.transaction(async (trx) => {
    const token = await trx(table)
      .where({ token_hash: sha256(presented) })
      .forUpdate()
      .first();
    if (!token || token.revoked_at || new Date(token.expires_at) <= new Date()) return { kind: 'invalid' };
    const found = { userId: token.user_id as string, familyId: token.family_id as string };
    if (token.used_at) {
      await trx(table)
        .where({ family_id: token.family_id })
        .whereNull('revoked_at')
        .update({ revoked_at: trx.fn.now() });
      return { kind: 'replayed', ...found };
    }
    await trx(table).where({ id: token.id }).update({ used_at: trx.fn.now() });
    return { kind: 'ok', ...found };
  });
}
