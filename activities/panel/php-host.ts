import { chown, readFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '../adapters/exec';
import type { PhpFpm } from '../adapters/php-fpm';

interface PhpSite {
  siteId: string;
  domain: string;
  rootPath: string;
}

/** Each PHP site runs as a system user of its own: `s_` + the site id's unique part (23 chars). */
export const siteUser = (siteId: string) => `s_${siteId.replace(/^site_/, '')}`;

const userExists = async (name: string) => (await run('id', ['-u', name])).code === 0;

/** PHP for a site: its own system user and PHP-FPM pool. Each step is idempotent; undo is a no-op when nothing is there. */
export function createPhpHostActivities(deps: { php: PhpFpm }) {
  const { php } = deps;

  return {
    /** Creates the site's user and gives it the root Dermaga made (an operator's own root keeps its owner). */
    async createSiteUser(site: PhpSite): Promise<void> {
      const user = siteUser(site.siteId);
      if (!(await userExists(user))) {
        const r = await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', site.rootPath, '--shell', '/usr/sbin/nologin', user]);
        if (r.code !== 0 && !(await userExists(user))) throw new Error(`useradd ${user} failed: ${r.stderr.trim()}`);
      }
      const marker = await readFile(path.join(site.rootPath, '.dermaga-site'), 'utf8').catch(() => '');
      if (marker.trim() === site.siteId) {
        const uid = Number((await run('id', ['-u', user])).stdout.trim());
        const gid = Number((await run('id', ['-g', user])).stdout.trim());
        await chown(site.rootPath, uid, gid);
      }
    },

    async removeSiteUser(site: PhpSite): Promise<void> {
      const user = siteUser(site.siteId);
      if (!(await userExists(user))) return;
      const r = await run('userdel', [user]);
      if (r.code !== 0 && (await userExists(user))) throw new Error(`userdel ${user} failed: ${r.stderr.trim()}`);
    },

    async writePhpPool(site: PhpSite): Promise<void> {
      await php.writePool({ name: site.domain, user: siteUser(site.siteId), rootPath: site.rootPath });
    },

    /** Reloads php-fpm and waits for the site's socket. */
    async reloadPhpFpm(site: PhpSite): Promise<void> {
      await php.reload(site.domain, true);
    },

    /** Removes the pool and reloads, waiting until its socket is gone. */
    async removePhpPool(site: PhpSite): Promise<void> {
      await php.removePool(site.domain);
      await php.reload(site.domain, false).catch((err: Error) => {
        if (!/is not running/.test(err.message)) throw err; // a stopped php-fpm serves nothing anyway
      });
    },
  };
}
export type PhpHostActivities = ReturnType<typeof createPhpHostActivities>;
