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
}

/** The host's php-fpm: one pool file per site, reloaded gracefully (USR2) through its pid file. */
export function createPhpFpm(opts: PhpFpmOptions) {
  const poolFile = (name: string) => path.join(opts.poolDir, `${name}.conf`);
  const socketPath = (name: string) => path.join(opts.socketDir, `${name}.sock`);

  return {
    socketPath,

    /** A pool that runs as the site's own user, confined to its root, listening on its own socket. */
    async writePool(pool: PhpPool): Promise<void> {
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
php_admin_value[open_basedir] = ${pool.rootPath}:/tmp
`;
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
      throw new Error(`php-fpm reloaded but the socket of pool ${name} ${expectSocket ? 'did not appear' : 'is still there'}; see php-fpm's error log`);
    },
  };
}
export type PhpFpm = ReturnType<typeof createPhpFpm>;
