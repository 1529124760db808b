import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { accountIds, ownDirectory } from '../../adapters/accounts';
import { run } from '../../adapters/exec';
import { phpPrivateDirs, type PhpFpm } from '../../adapters/php-fpm';
import { nginxGroup, SITE_ROOT_MODE } from './site-host';

interface PhpSite {
  siteId: string;
  domain: string;
  rootPath: string;
  /** Whether the site's PHP may start processes (absent: no). */
  phpAllowExec?: boolean;
}

/** Each PHP site runs as a system user of its own: `s_` + the site id's unique part (23 chars). */
export const siteUser = (siteId: string) => `s_${siteId.replace(/^site_/, '')}`;

const userExists = async (name: string) => (await run('id', ['-u', name])).code === 0;

/** PHP for a site: its own system user and PHP-FPM pool. Each step is idempotent; undo is a no-op when nothing is there. */
export function createPhpHostActivities(deps: { php: PhpFpm; nginxUser: string }) {
  const { php } = deps;

  return {
    /**
     * Creates the site's user, its private temp and session directories (0700, its own), and gives
     * it the root Dermaga made, nginx's group keeping read access (an operator's own root keeps its owner).
     */
    async createSiteUser(site: PhpSite): Promise<void> {
      const user = siteUser(site.siteId);
      if (!(await userExists(user))) {
        const r = await run('useradd', [
          '--system',
          '--user-group',
          '--no-create-home',
          '--home-dir',
          site.rootPath,
          '--shell',
          '/usr/sbin/nologin',
          user,
        ]);
        if (r.code !== 0 && !(await userExists(user)))
          throw new Error(`useradd ${user} failed: ${r.stderr.trim()}`);
      }
      const ids = await accountIds(user);
      if (!ids) throw new Error(`useradd ${user} succeeded but id does not know the user`);
      const dirs = phpPrivateDirs(site.rootPath);
      for (const dir of [dirs.base, dirs.tmp, dirs.sessions]) {
        await mkdir(dir, { mode: 0o700 }).catch((err) => {
          if (err.code !== 'EEXIST') throw err;
        });
        await ownDirectory(dir, ids.uid, ids.gid, 0o700);
      }
      const marker = await readFile(path.join(site.rootPath, '.dermaga-site'), 'utf8').catch(() => '');
      if (marker.trim() === site.siteId) {
        const group = await nginxGroup(deps.nginxUser);
        await ownDirectory(site.rootPath, ids.uid, group, SITE_ROOT_MODE);
      }
    },

    /** Removes the user and its private directories (an operator's root outlives the site; they do not). */
    async removeSiteUser(site: PhpSite): Promise<void> {
      await rm(phpPrivateDirs(site.rootPath).base, { recursive: true, force: true });
      const user = siteUser(site.siteId);
      if (!(await userExists(user))) return;
      const r = await run('userdel', [user]);
      if (r.code !== 0 && (await userExists(user)))
        throw new Error(`userdel ${user} failed: ${r.stderr.trim()}`);
    },

    async writePhpPool(site: PhpSite): Promise<void> {
      await php.writePool({
        name: site.domain,
        user: siteUser(site.siteId),
        rootPath: site.rootPath,
        allowExec: site.phpAllowExec,
      });
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
