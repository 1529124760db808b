import { sha256 } from '../../core/crypto';
import { createHotPool, type HotPool } from '../../core/db';
import { newId } from '../../core/ids';
import { createLogger } from '../../core/logger';
import { createKeyCache, type KeyCache } from '../../api/products/billing/key-cache';
import { eventually, startApi, type TestApi } from '../support/api';
import { billingAccount } from '../support/billing';

// The cache against the real Postgres: its LISTEN connection hears the api_keys trigger's notices.
let api: TestApi;
let pool: HotPool;
let cache: KeyCache;
beforeAll(async () => {
  api = await startApi();
  pool = createHotPool(api.config.DATABASE_URL);
  cache = createKeyCache({ databaseUrl: api.config.DATABASE_URL, pool, logger: createLogger('silent') });
});
afterAll(async () => {
  await cache.stop();
  await pool.end();
  await api.close();
});

async function keyRow(customerId: string, extra: Record<string, unknown> = {}) {
  const secret = `sk_live_${newId('secret')}`;
  const id = newId('key');
  await api.db('billing.api_keys').insert({
    id,
    customer_id: customerId,
    name: 'k',
    prefix: secret.slice(0, 12),
    key_hash: sha256(secret),
    scopes: ['usage:write'],
    ...extra,
  });
  return { id, hash: sha256(secret) };
}

/** Resolves once a lookup of `hash` is answered from memory (`held`) or from the database (`!held`). */
const answeredFrom = (memory: boolean, hash: string, keys: KeyCache = cache) => {
  const queries = jest.spyOn(pool, 'query');
  return eventually(
    async () => {
      await keys.lookup(hash);
      const before = queries.mock.calls.length;
      const key = await keys.lookup(hash);
      return (queries.mock.calls.length === before) === memory ? key : undefined;
    },
    10_000,
    `a lookup answered from ${memory ? 'memory' : 'the database'}`,
  ).finally(() => queries.mockRestore());
};
const heldInMemory = (hash: string, keys?: KeyCache) => answeredFrom(true, hash, keys);

describe('billing API-key cache', () => {
  it('answers a live key from memory, and forgets it when any change to a key commits, from any connection', async () => {
    const { id: customerId } = await billingAccount(api);
    const key = await keyRow(customerId);
    expect(await heldInMemory(key.hash)).toEqual({ id: key.id, customerId, scopes: ['usage:write'] });

    // An operator's SQL on another connection: the trigger's notice reaches the listener.
    await api.db('billing.api_keys').where({ id: key.id }).update({ revoked_at: api.db.fn.now() });
    await eventually(
      async () => ((await cache.lookup(key.hash)) === undefined ? true : undefined),
      10_000,
      'the revoked key refused',
    );

    // forget() (called by this process after its own changes commit) drops what is held at once.
    const other = await keyRow(customerId);
    await heldInMemory(other.hash);
    const queries = jest.spyOn(pool, 'query');
    cache.forget();
    await cache.lookup(other.hash);
    expect(queries).toHaveBeenCalledTimes(1);
    queries.mockRestore();
  });

  it('reads keys from the database while its listener is lost, and holds them again once it is back', async () => {
    const name = `key-cache-test-${process.pid}`;
    const url = new URL(api.config.DATABASE_URL);
    url.searchParams.set('application_name', name);
    const own = createKeyCache({ databaseUrl: url.toString(), pool, logger: createLogger('silent') });
    try {
      const { id: customerId } = await billingAccount(api);
      const key = await keyRow(customerId);
      await heldInMemory(key.hash, own);
      await api.db.raw('select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?', [
        name,
      ]);
      await answeredFrom(false, key.hash, own);
      await heldInMemory(key.hash, own);
    } finally {
      await own.stop();
    }
  });

  it('never holds a key past its own end, nor an unknown key', async () => {
    const { id: customerId } = await billingAccount(api);
    const ending = await keyRow(customerId, { expires_at: api.db.raw("now() + interval '1.5 seconds'") });
    await heldInMemory(ending.hash);
    await eventually(
      async () => ((await cache.lookup(ending.hash)) === undefined ? true : undefined),
      10_000,
      'the expired key refused',
    );

    const queries = jest.spyOn(pool, 'query');
    expect(await cache.lookup(sha256('sk_live_unknown'))).toBeUndefined();
    expect(await cache.lookup(sha256('sk_live_unknown'))).toBeUndefined();
    expect(queries).toHaveBeenCalledTimes(2);
    queries.mockRestore();
  });
});
