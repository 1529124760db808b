import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import Koa from 'koa';
import pg from 'pg';

/**
 * The bare reference for `npm run bench billing`: Koa + pg doing what a usage report must at the
 * least — find the API key by its hash, insert the event — with nothing else (no validation,
 * quotas, idempotency, envelope or error handling). Dermaga's report is measured against it.
 */
export async function startReference(
  databaseUrl: string,
  poolSize: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const app = new Koa();
  app.use(async (ctx) => {
    const key = (ctx.get('authorization') ?? '').slice(7);
    const chunks: Buffer[] = [];
    for await (const c of ctx.req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const { rows } = await pool.query('select id, customer_id from billing.api_keys where key_hash = $1', [
      createHash('sha256').update(key).digest('hex'),
    ]);
    if (!rows[0]) {
      ctx.status = 401;
      return;
    }
    await pool.query(
      'insert into billing.usage_events (customer_id, api_key_id, event_type, quantity, occurred_at) values ($1, $2, $3, $4, now())',
      [rows[0].customer_id, rows[0].id, body.event_type, body.quantity],
    );
    ctx.body = { ok: true };
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await new Promise((r) => server.close(r));
      await pool.end();
    },
  };
}
