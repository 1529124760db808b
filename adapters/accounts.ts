import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { run } from './exec';

/** A system account's uid and primary gid (`id`), or null when there is no such account. */
export async function accountIds(name: string): Promise<{ uid: number; gid: number } | null> {
  const [u, g] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  if (u.code !== 0 || g.code !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * Gives a directory its owner, group and mode through a handle opened without following a symlink:
 * a site's user who swapped the directory for a link to /etc changes nothing outside.
 */
export async function ownDirectory(dir: string, uid: number, gid: number, mode: number): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    await handle.chown(uid, gid);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}
