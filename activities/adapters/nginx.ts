import { rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { run } from './exec';

export interface NginxOptions {
  bin: string;
  /** Main config file; undefined means nginx's compiled-in default. */
  conf?: string;
  sitesDir: string;
  /** The listen value of site blocks (port or address:port): where to ask what nginx serves. */
  listen: string;
}

/** The nginx on this host: one server block per file in sitesDir, tested and reloaded in place. */
export function createNginx(opts: NginxOptions) {
  const confArgs = opts.conf ? ['-c', opts.conf] : [];
  const vhostPath = (name: string) => path.join(opts.sitesDir, `${name}.conf`);

  return {
    vhostPath,

    /** Writes atomically: a reload never sees half a file. The temp name does not match *.conf. */
    async writeVhost(name: string, content: string): Promise<void> {
      const target = vhostPath(name);
      const tmp = `${target}.${process.pid}.tmp`;
      await writeFile(tmp, content, { mode: 0o644 });
      await rename(tmp, target);
    },

    async removeVhost(name: string): Promise<void> {
      await rm(vhostPath(name), { force: true });
    },

    /** `nginx -t`: null when the whole configuration is valid, else nginx's own explanation. */
    async test(): Promise<string | null> {
      const r = await run(opts.bin, ['-t', '-q', ...confArgs]);
      return r.code === 0 ? null : r.stderr.trim() || `nginx -t exited ${r.code}`;
    },

    /** The site id nginx answers for a domain right now, or null when it serves no Dermaga site there. */
    servedSiteId(domain: string): Promise<string | null> {
      const port = Number(opts.listen.split(':').pop());
      const address = opts.listen.includes(':') ? opts.listen.slice(0, opts.listen.lastIndexOf(':')).replace(/^\[|\]$/g, '') : '127.0.0.1';
      return new Promise((resolve) => {
        const req = http.get({ host: address, port, path: '/.well-known/dermaga-site', headers: { host: domain }, timeout: 2000 }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(res.statusCode === 200 && /^site_/.test(body) ? body.trim() : null));
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(null));
      });
    },

    /**
     * `nginx -s reload`; says whether nginx was running at all. nginx answers 0 even when the
     * master then rejects the new configuration, so callers verify with servedSiteId().
     */
    async reload(): Promise<{ running: boolean }> {
      const r = await run(opts.bin, [...confArgs, '-s', 'reload']);
      if (r.code === 0) return { running: true };
      if (/nginx\.pid|No such process|invalid PID/i.test(r.stderr)) return { running: false };
      throw new Error(`nginx reload failed: ${r.stderr.trim() || `exit ${r.code}`}`);
    },
  };
}
export type Nginx = ReturnType<typeof createNginx>;
