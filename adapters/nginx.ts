import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
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
  /** The master's pid file, to tell its old workers from its new ones across a reload. */
  pidFile: string;
}

/** Pids of the worker processes the nginx master runs now (from /proc). */
async function workerPids(masterPid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === masterPid) pids.push(Number(entry));
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

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
      const address = opts.listen.includes(':')
        ? opts.listen.slice(0, opts.listen.lastIndexOf(':')).replace(/^\[|\]$/g, '')
        : '127.0.0.1';
      return new Promise((resolve) => {
        // A fresh connection each time: after a reload, old workers keep serving kept-alive connections with the old config.
        const req = http.get(
          {
            host: address,
            port,
            path: '/.well-known/dermaga-site',
            headers: { host: domain },
            timeout: 2000,
            agent: false,
          },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve(res.statusCode === 200 && /^site_/.test(body) ? body.trim() : null));
          },
        );
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(null));
      });
    },

    /**
     * `nginx -s reload`; says whether nginx was running at all. nginx answers 0 even when the
     * master then rejects the new configuration, so callers verify with servedSiteId().
     */
    async reload(): Promise<{ running: boolean }> {
      const masterPid = Number((await readFile(opts.pidFile, 'utf8').catch(() => '')).trim());
      const before = masterPid > 0 ? await workerPids(masterPid) : [];
      const r = await run(opts.bin, [...confArgs, '-s', 'reload']);
      if (r.code !== 0) {
        if (/nginx\.pid|No such process|invalid PID/i.test(r.stderr)) return { running: false };
        throw new Error(`nginx reload failed: ${r.stderr.trim() || `exit ${r.code}`}`);
      }
      // Old workers accept on the shared socket until they see the master's QUIT: wait them out
      // (bounded: one still streaming a long response has long stopped accepting).
      for (let waited = 0; waited < 5000 && before.some(alive); waited += 20)
        await new Promise((res) => setTimeout(res, 20));
      return { running: true };
    },
  };
}
export type Nginx = ReturnType<typeof createNginx>;
