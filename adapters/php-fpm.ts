import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface PhpFpmOptions {
  poolDir: string;
  socketDir: string;
  pidFile: string;
  /** The user nginx workers run as: owner of every pool's socket. */
  nginxUser: string;
}

export interface PhpPool {
  name: string;
  user: string;
  rootPath: string;
  /** Whether the pool's PHP may start processes; off, the functions that do are disabled. */
  allowExec?: boolean;
}

/** PHP's functions that start a process (a shell or any program) as the pool's user. */
export const PROCESS_FUNCTIONS = [
  'exec',
  'passthru',
  'shell_exec',
  'system',
  'proc_open',
  'popen',
  'pcntl_exec',
  'pcntl_fork',
];

/**
 * A pool's own directories for temporary files, uploads in flight and sessions: inside its root, so
 * inside its open_basedir and no other site's; a dot directory, so nginx never serves it.
 */
export function phpPrivateDirs(rootPath: string) {
  const base = path.join(rootPath, '.dermaga-php');
  return { base, tmp: path.join(base, 'tmp'), sessions: path.join(base, 'sessions') };
}

/** The host's php-fpm: one pool file per site, reloaded gracefully (USR2) through its pid file. */
export function createPhpFpm(opts: PhpFpmOptions) {
  const poolFile = (name: string) => path.join(opts.poolDir, `${name}.conf`);
  const socketPath = (name: string) => path.join(opts.socketDir, `${name}.sock`);

  return {
    socketPath,

    /** A pool that runs as the site's own user, confined to its root, listening on its own socket. */
    async writePool(pool: PhpPool): Promise<void> {
      const dirs = phpPrivateDirs(pool.rootPath);
      const disabled = pool.allowExec
        ? ''
        : `php_admin_value[disable_functions] = ${PROCESS_FUNCTIONS.join(',')}\n`;
      const content = `; Managed by Dermaga. Changes here are overwritten.
[${pool.name}]
user = ${pool.user}
group = ${pool.user}
listen = ${socketPath(pool.name)}
listen.owner = ${opts.nginxUser}
listen.group = ${opts.nginxUser}
listen.mode = 0660
pm = ondemand
pm.max_children = 5
pm.process_idle_timeout = 30s
chdir = /
; The site's root and nothing else: the trailing / keeps /var/www/a from admitting /var/www/ab.
php_admin_value[open_basedir] = ${pool.rootPath}/
php_admin_value[sys_temp_dir] = ${dirs.tmp}
php_admin_value[upload_tmp_dir] = ${dirs.tmp}
php_admin_value[session.save_path] = ${dirs.sessions}
; Debian's cron cleans only its own session directory: PHP collects this pool's old sessions itself.
php_admin_value[session.gc_probability] = 1
env[TMPDIR] = ${dirs.tmp}
${disabled}`;
      const tmp = `${poolFile(pool.name)}.${process.pid}.tmp`;
      await writeFile(tmp, content, { mode: 0o644 });
      await rename(tmp, poolFile(pool.name));
    },

    removePool: (name: string) => rm(poolFile(name), { force: true }),

    /** Graceful reload; resolves once the pool's socket exists (or is gone, when removed). */
    async reload(name: string, expectSocket: boolean): Promise<void> {
      const pid = Number((await readFile(opts.pidFile, 'utf8').catch(() => '')).trim());
      if (!(pid > 0)) throw new Error(`php-fpm is not running (no pid in ${opts.pidFile})`);
      try {
        process.kill(pid, 'SIGUSR2');
      } catch {
        throw new Error(`php-fpm is not running (pid ${pid} from ${opts.pidFile} is gone)`);
      }
      for (let waited = 0; waited < 10_000; waited += 50) {
        if (existsSync(socketPath(name)) === expectSocket) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(
        `php-fpm reloaded but the socket of pool ${name} ${expectSocket ? 'did not appear' : 'is still there'}; see php-fpm's error log`,
      );
    },
  };
}
export type PhpFpm = ReturnType<typeof createPhpFpm>;
