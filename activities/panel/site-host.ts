import { ApplicationFailure } from '@temporalio/activity';
import { mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { accountIds, ownDirectory } from '../../adapters/accounts';
import type { Nginx } from '../../adapters/nginx';
import { renderVhost } from './vhost';

const MARKER = '.dermaga-site';

/** A site root Dermaga made: its owner's, nginx reads it through its group, closed to every other account. */
export const SITE_ROOT_MODE = 0o750;

/** The primary group of the user nginx's workers run as: the group of every site root. */
export async function nginxGroup(nginxUser: string): Promise<number> {
  const ids = await accountIds(nginxUser);
  if (!ids) throw new Error(`nginx's worker user ${nginxUser} does not exist here (PANEL_NGINX_USER)`);
  return ids.gid;
}

interface SiteRef {
  siteId: string;
  domain: string;
  rootPath: string;
  runtime?: 'static' | 'php' | 'proxy';
  proxyPort?: number | null;
  /** The installed certificate's directory: the vhost gains a TLS server block. */
  certDir?: string | null;
}

const invalid = (message: string) =>
  ApplicationFailure.create({ message, type: 'invalid_request', nonRetryable: true });

/** The deepest existing ancestor's real path: where a symlink would really lead. */
async function realAncestor(p: string): Promise<string> {
  for (let dir = p; ; dir = path.dirname(dir)) {
    const real = await realpath(dir).catch(() => null);
    if (real) return path.join(real, path.relative(dir, p));
    if (dir === path.dirname(dir)) return p;
  }
}

/**
 * What provisioning does on the panel's host: the site's directory and its nginx server block.
 * Each step is idempotent and its undo is a no-op when there is nothing to undo.
 */
export function createSiteHostActivities(deps: {
  nginx: Nginx;
  webRoot: string;
  listen: string;
  tlsListen: string;
  phpSocket: (domain: string) => string;
  /** The user nginx's workers run as: site roots belong to its group. */
  nginxUser: string;
}) {
  const { nginx } = deps;

  /** Refuses a root that resolves, through symlinks, outside the web root. */
  async function checkInsideWebRoot(rootPath: string) {
    const base = await realpath(deps.webRoot).catch(() => path.resolve(deps.webRoot));
    const real = await realAncestor(rootPath);
    if (!real.startsWith(`${base}/`))
      throw invalid(`root_path ${rootPath} resolves outside the web root ${deps.webRoot}`);
  }

  const readMarker = (rootPath: string) =>
    readFile(path.join(rootPath, MARKER), 'utf8').then(
      (s) => s.trim(),
      () => null,
    );

  return {
    /**
     * Creates the site root with a placeholder index; a root made here is marked so undo/delete may
     * remove it, and belongs to Dermaga (root) and nginx's group, mode 0750: other sites' users
     * cannot enter it. A PHP site's user gets it in the next step.
     */
    async createSiteRoot(site: SiteRef): Promise<void> {
      await mkdir(deps.webRoot, { recursive: true });
      await checkInsideWebRoot(site.rootPath);
      const owner = await readMarker(site.rootPath);
      if (owner && owner !== site.siteId)
        throw invalid(`root_path ${site.rootPath} belongs to site ${owner}`);
      await mkdir(path.dirname(site.rootPath), { recursive: true, mode: 0o755 });
      // Only a directory made here is marked: an existing one is the operator's and outlives the site.
      const made = await mkdir(site.rootPath, { mode: SITE_ROOT_MODE }).then(
        () => true,
        (err) => (err.code === 'EEXIST' ? false : Promise.reject(err)),
      );
      if (made) await writeFile(path.join(site.rootPath, MARKER), `${site.siteId}\n`, { mode: 0o600 });
      if (made || owner === site.siteId) {
        const group = await nginxGroup(deps.nginxUser);
        await ownDirectory(site.rootPath, process.getuid?.() ?? 0, group, SITE_ROOT_MODE);
      }
      const index = `<!doctype html>\n<title>${site.domain}</title>\n<h1>${site.domain}</h1>\n<p>Hosted by Dermaga.</p>\n`;
      await writeFile(path.join(site.rootPath, 'index.html'), index, { flag: 'wx', mode: 0o644 }).catch(
        (err) => {
          if (err.code !== 'EEXIST') throw err; // an operator's own index stays
        },
      );
    },

    /** Removes the site root only when this site created it. */
    async removeSiteRoot(site: SiteRef): Promise<void> {
      if ((await readMarker(site.rootPath)) !== site.siteId) return;
      await checkInsideWebRoot(site.rootPath);
      await rm(site.rootPath, { recursive: true, force: true });
    },

    async writeVhost(site: SiteRef): Promise<void> {
      await nginx.writeVhost(
        site.domain,
        renderVhost({
          ...site,
          listen: deps.listen,
          phpSocket: site.runtime === 'php' ? deps.phpSocket(site.domain) : undefined,
          tls: site.certDir ? { listen: deps.tlsListen, certDir: site.certDir } : null,
        }),
      );
    },

    /** Removes the server block and reloads, and waits until nginx no longer serves the site. */
    async removeVhost(site: SiteRef): Promise<void> {
      await nginx.removeVhost(site.domain);
      const problem = await nginx.test();
      if (problem) throw new Error(`nginx configuration invalid after removing ${site.domain}: ${problem}`);
      const { running } = await nginx.reload();
      if (running)
        await waitUntil(
          async () => (await nginx.servedSiteId(site.domain)) !== site.siteId,
          `nginx still serves ${site.domain} after reload; see nginx's error log`,
        );
    },

    /** `nginx -t` over the whole configuration; a failure here is not fixed by retrying. */
    async testNginxConfig(): Promise<void> {
      const problem = await nginx.test();
      if (problem)
        throw ApplicationFailure.create({
          message: `nginx -t failed: ${problem}`,
          type: 'nginx_config_invalid',
          nonRetryable: true,
        });
    },

    /** Reloads nginx and waits until it really serves the site (a rejected reload keeps the old config). */
    async reloadNginx(site: SiteRef): Promise<void> {
      const { running } = await nginx.reload();
      if (!running)
        throw new Error(
          'nginx is not running on this host (no master process to reload); start nginx and try again',
        );
      await waitUntil(
        async () => (await nginx.servedSiteId(site.domain)) === site.siteId,
        `nginx reloaded but does not serve ${site.domain}; see nginx's error log`,
      );
    },
  };
}
export type SiteHostActivities = ReturnType<typeof createSiteHostActivities>;

/** Polls a check for up to 10 s (nginx applies a reload asynchronously). */
async function waitUntil(check: () => Promise<boolean>, failure: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(failure);
}
