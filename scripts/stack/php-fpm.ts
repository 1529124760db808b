import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnLogged, stopChild, stopStale } from './processes';

/** The php-fpm of Debian's php-fpm package (php-fpm8.2 on bookworm), if installed. */
export function findPhpFpm(): string | null {
  const bin = readdirSync('/usr/sbin').find((f) => /^php-fpm\d+(\.\d+)?$/.test(f));
  return bin ? `/usr/sbin/${bin}` : null;
}

/**
 * A private php-fpm master for PHP sites: Dermaga writes one pool per site into `<dir>/pool.d`.
 * php-fpm refuses to start without any pool, so an idle on-demand pool keeps it company.
 */
export async function startPhpFpm(opts: { dir: string }) {
  const bin = findPhpFpm();
  if (!bin) throw new Error('php-fpm is not installed: apt-get install php-fpm (PHP sites need it)');
  const poolDir = path.join(opts.dir, 'pool.d');
  const socketDir = path.join(opts.dir, 'sockets');
  for (const d of [poolDir, socketDir]) mkdirSync(d, { recursive: true });
  const pidFile = path.join(opts.dir, 'php-fpm.pid');
  const conf = path.join(opts.dir, 'php-fpm.conf');
  writeFileSync(
    conf,
    `; Written by Dermaga's dev stack.
[global]
pid = ${pidFile}
error_log = ${opts.dir}/error.log
include = ${poolDir}/*.conf

[dermaga-idle]
user = nobody
group = nogroup
listen = ${socketDir}/idle.sock
pm = ondemand
pm.max_children = 1
`,
  );
  // A php-fpm left by a killed run still holds the pid file: stop it, or the new one exits at once.
  await stopStale(pidFile, { match: (c) => c.includes(conf), signal: 'SIGQUIT', removeStale: true });
  const child = spawnLogged(
    bin,
    ['--nodaemonize', '--allow-to-run-as-root', '--fpm-config', conf],
    path.join(opts.dir, 'php-fpm.out'),
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`php-fpm exited (${code}); see ${opts.dir}/error.log`))),
  );
  const ready = (async () => {
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(pidFile)) throw new Error(`php-fpm wrote no pid file in 10 s; see ${opts.dir}/error.log`);
  })();
  await Promise.race([exited, ready]);
  exited.catch(() => undefined);
  return {
    poolDir,
    socketDir,
    pidFile,
    bin,
    stop: () => stopChild(child, 10_000, 'SIGQUIT'),
    sites: () => readdirSync(poolDir),
  };
}
