import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { sha256 } from '../../../core/crypto';
import { Forbidden, NotFound, Unauthorized } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { writeAudit } from '../../http/audit';
import type { BillingCaller } from './auth';
import type { KeyCache } from './key-cache';
import type { ApiKeyRow } from '../../../types/billing';

export const SCOPES = ['usage:write', 'usage:read'] as const;
export type Scope = (typeof SCOPES)[number];
/** Who an API key speaks for, set on ctx.state by `requireKey`. */
export interface KeyCaller {
  keyId: string;
  customerId: string;
}

const view = (k: ApiKeyRow) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes as Scope[],
  created_at: new Date(k.created_at).toISOString(),
});

/** `sk_live_` + 32 random bytes; the prefix shown later is its first 12 characters. */
function mint() {
  const key = `sk_live_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), key_hash: sha256(key) };
}

/**
 * Customers' API keys: only the SHA-256 is stored (a key is 256 random bits: a slow hash adds
 * nothing), the prefix stays visible, the key is shown once on create and rotate. Revoking ends
 * a key at once; rotating ends the old one at once or after the configured overlap.
 */
export function createApiKeyService(deps: { db: Knex; keys: KeyCache; config: Config }) {
  const { db, keys, config } = deps;
  const live = (customerId: string) =>
    db('billing.api_keys').where({ customer_id: customerId }).whereNull('revoked_at').whereNull('rotated_at');
  const own = async (caller: BillingCaller, id: string) => {
    const row = await live(caller.customer.id).where({ id }).first();
    if (!row) throw new NotFound(`api key ${id}`);
    return row;
  };
  const audit = (trx: Knex, caller: BillingCaller, action: string, id: string, ip: string) =>
    writeAudit(trx, 'billing', {
      actor: caller.customer.email,
      action,
      target: `api_key:${id}`,
      ip,
      outcome: 'success',
    });

  return {
    async list(caller: BillingCaller) {
      return (await live(caller.customer.id).orderBy('created_at', 'desc')).map(view);
    },

    async create(caller: BillingCaller, input: { name: string; scopes: Scope[] }, ip: string) {
      const { key, ...stored } = mint();
      const [row] = await db('billing.api_keys')
        .insert({
          id: newId('key'),
          customer_id: caller.customer.id,
          name: input.name,
          scopes: input.scopes,
          ...stored,
        })
        .returning('*');
      await audit(db, caller, 'api_key.create', row.id, ip);
      return { ...view(row), key };
    },

    async update(caller: BillingCaller, id: string, input: { name?: string; scopes?: Scope[] }, ip: string) {
      await own(caller, id);
      const [row] = await db('billing.api_keys').where({ id }).update(input).returning('*');
      keys.forget();
      await audit(db, caller, 'api_key.update', id, ip);
      return view(row);
    },

    async revoke(caller: BillingCaller, id: string, ip: string) {
      await own(caller, id);
      await db('billing.api_keys').where({ id }).update({ revoked_at: db.fn.now() });
      keys.forget();
      await audit(db, caller, 'api_key.revoke', id, ip);
    },

    /** A new key with the same name and scopes under the same id; the old secret ends (after the overlap, if any). */
    async rotate(caller: BillingCaller, id: string, ip: string) {
      const rotated = await db.transaction(async (trx) => {
        const old = await live(caller.customer.id).transacting(trx).where({ id }).forUpdate().first();
        if (!old) throw new NotFound(`api key ${id}`);
        const { key, ...stored } = mint();
        const overlap = config.BILLING_KEY_ROTATION_OVERLAP_SECONDS;
        const [row] = await trx('billing.api_keys')
          .where({ id })
          .update({ ...stored, created_at: trx.fn.now() })
          .returning('*');
        // The old secret lives on as a retired row (its own id) until its end; the key keeps its id.
        await trx('billing.api_keys').insert({
          ...old,
          id: newId('key'),
          rotated_at: trx.fn.now(),
          expires_at: overlap ? trx.raw('now() + make_interval(secs => ?)', [overlap]) : trx.fn.now(),
        });
        await audit(trx, caller, 'api_key.rotate', id, ip);
        return { id, key, prefix: row.prefix, rotated_at: new Date(row.created_at).toISOString() };
      });
      keys.forget();
      return rotated;
    },

    /**
     * The request's `Authorization: Bearer sk_live_…` must be a live key with `scope` (401
     * otherwise; 403 without the scope). Read from memory when held, else one indexed lookup by hash.
     */
    async authenticate(ctx: Context, scope: Scope): Promise<void> {
      const match = /^Bearer\s+(sk_live_\S+)$/.exec(ctx.get('authorization'));
      if (!match) throw new Unauthorized('an API key is required: Authorization: Bearer sk_live_…');
      // A deleted account's keys are revoked in its deletion, so the key row alone decides.
      const key = await keys.lookup(sha256(match[1]));
      if (!key) throw new Unauthorized('invalid, revoked or rotated API key');
      if (!key.scopes.includes(scope)) throw new Forbidden(`this API key lacks the ${scope} scope`);
      ctx.state.key = { keyId: key.id, customerId: key.customerId } satisfies KeyCaller;
    },
  };
}
export type ApiKeyService = ReturnType<typeof createApiKeyService>;
