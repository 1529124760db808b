import pg from 'pg';
import { pgConnection, type DbTimeouts, type HotPool } from '../../../core/db';
import type { Logger } from '../../../core/logger';

/** A live API key as authentication needs it. */
export interface LiveKey {
  id: string;
  customerId: string;
  scopes: string[];
}

const TTL_MS = 30_000;
const MAX_HELD = 10_000;
const RELISTEN_MS = 1_000;

/**
 * Live API keys by hash, held in memory so a usage report or quota check pays no database round
 * trip for its key. Holding is safe only while a LISTEN connection hears `billing_api_keys`
 * (migration 20261202000100): any committed change to a key drops everything held, in every API
 * process. The process that makes a change also calls `forget()` once it has committed, so its own
 * next request cannot see the old key. A lookup that raced a change is not kept (the generation
 * moved on); an entry lives TTL_MS at most and never past the key's own end; while the listener is
 * down nothing is held and every lookup reads the database. Misses are never held.
 */
export function createKeyCache(deps: {
  databaseUrl: string;
  timeouts?: DbTimeouts;
  pool: HotPool;
  logger: Logger;
}) {
  const held = new Map<string, { key: LiveKey; until: number }>();
  let generation = 0;
  let listener: pg.Client | undefined;
  let listening = false;
  let stopped = false;
  let relisten: NodeJS.Timeout | undefined;

  function forget() {
    generation++;
    held.clear();
  }

  async function listen() {
    const client = new pg.Client(pgConnection(deps.databaseUrl, deps.timeouts)); // deadlines as the pool's: a hung server fails the LISTEN, tried again
    listener = client;
    const lost = (err?: Error) => {
      if (listener !== client) return;
      listener = undefined;
      listening = false;
      forget();
      client.end().catch(() => undefined);
      if (stopped) return;
      deps.logger.warn(
        { err: err?.message },
        'billing: API-key change listener lost; keys are read from the database until it is back',
      );
      relisten = setTimeout(() => {
        relisten = undefined;
        void listen();
      }, RELISTEN_MS);
      relisten.unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', forget);
    try {
      await client.connect();
      await client.query('listen billing_api_keys');
      if (listener !== client) return;
      forget(); // a change that committed before LISTEN was heard by no one: lookups already under way are not kept
      listening = true;
    } catch (err) {
      lost(err as Error);
    }
  }

  return {
    forget,

    /** The live key with this hash, or undefined (unknown, revoked, rotated out or expired). */
    async lookup(hash: string): Promise<LiveKey | undefined> {
      const now = Date.now();
      const hit = held.get(hash);
      if (hit && hit.until > now) return hit.key;
      if (!listener && !relisten && !stopped) void listen(); // the first lookup starts it; after a loss, the timer does
      const seen = generation;
      const { rows } = await deps.pool.query(
        `select id, customer_id, scopes, expires_at from billing.api_keys where key_hash = $1 and revoked_at is null and (expires_at is null or expires_at > now())`,
        [hash],
      );
      if (!rows[0]) return undefined;
      const key: LiveKey = { id: rows[0].id, customerId: rows[0].customer_id, scopes: rows[0].scopes };
      if (listening && seen === generation) {
        if (held.size >= MAX_HELD) held.clear();
        held.set(hash, {
          key,
          until: Math.min(
            now + TTL_MS,
            rows[0].expires_at ? new Date(rows[0].expires_at).getTime() : Infinity,
          ),
        });
      }
      return key;
    },

    async stop() {
      stopped = true;
      clearTimeout(relisten);
      const client = listener;
      listener = undefined;
      listening = false;
      await client?.end().catch(() => undefined);
    },
  };
}
export type KeyCache = ReturnType<typeof createKeyCache>;
