import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertPortFree, spawnLogged, stopChild, stopStale, waitForPort } from './processes';

const nginxConf = (
  dir: string,
  listen: string,
  tlsListen: string,
) => `# Written by Dermaga's dev stack: a private nginx for panel sites.
# Workers run as www-data, as Debian's nginx does: PHP-FPM sockets are made for that user.
user www-data;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
worker_processes 1;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path ${dir}/tmp/body;
    proxy_temp_path ${dir}/tmp/proxy;
    fastcgi_temp_path ${dir}/tmp/fastcgi;
    uwsgi_temp_path ${dir}/tmp/uwsgi;
    scgi_temp_path ${dir}/tmp/scgi;
    server {
        listen ${listen} default_server;
        return 404;
    }
    # A name no site has a certificate for gets no handshake (not another site's certificate).
    # The default server's protocols are the ones offered whatever the site (SNI comes too late):
    # nginx 1.22's default lacks TLSv1.3.
    server {
        listen ${tlsListen} ssl default_server;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_reject_handshake on;
    }
    include ${dir}/sites/*.conf;
}
`;

function findNginx(): string {
  for (const p of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'])
    if (existsSync(p)) return p;
  throw new Error('nginx is not installed: apt-get install nginx-light (panel sites need it)');
}

/**
 * A private nginx (not the system one) for panel sites: its own config, pid file and sites dir
 * under `dir`, listening on 127.0.0.1:port (and tlsPort for sites with certificates), run in the foreground as our child.
 */
export async function startNginx(opts: { dir: string; webRoot: string; port: number; tlsPort: number }) {
  const bin = findNginx();
  const listen = `127.0.0.1:${opts.port}`;
  const tlsListen = `127.0.0.1:${opts.tlsPort}`;
  for (const d of ['sites', 'tmp']) mkdirSync(path.join(opts.dir, d), { recursive: true });
  mkdirSync(opts.webRoot, { recursive: true });
  const confFile = path.join(opts.dir, 'nginx.conf');
  writeFileSync(confFile, nginxConf(opts.dir, listen, tlsListen));
  // An nginx master orphaned by a killed run still holds the port: stop it (SIGQUIT: graceful)
  // and wait until it is gone, or ours could not bind.
  await stopStale(path.join(opts.dir, 'nginx.pid'), {
    match: (cmd) => cmd.startsWith('nginx: master process') && cmd.includes(`-c ${confFile}`),
    signal: 'SIGQUIT',
    graceMs: 10_000,
  });
  await assertPortFree(opts.port, 'nginx');
  await assertPortFree(opts.tlsPort, 'nginx (TLS)');
  const problem = await new Promise<string | null>((resolve) =>
    execFile(bin, ['-t', '-q', '-c', confFile], (err, _out, stderr) => resolve(err ? stderr : null)),
  );
  if (problem)
    throw new Error(
      `nginx config test failed (a site block under ${opts.dir}/sites may be broken):\n${problem}`,
    );
  const child = spawnLogged(bin, ['-c', confFile, '-g', 'daemon off;'], path.join(opts.dir, 'nginx.out'));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nginx exited (${code}); see ${opts.dir}/error.log`))),
  );
  await Promise.race([exited, waitForPort(opts.port)]);
  exited.catch(() => undefined);
  return {
    bin,
    confFile,
    sitesDir: path.join(opts.dir, 'sites'),
    webRoot: opts.webRoot,
    listen,
    tlsListen,
    port: opts.port,
    pidFile: path.join(opts.dir, 'nginx.pid'),
    stop: () => stopChild(child, 10_000, 'SIGQUIT'),
  };
}
