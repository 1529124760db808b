import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  realpathSync,
  renameSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Where root keeps what the `postgres`, `mysql` and `www-data` users must reach when the checkout
 * itself is closed to them (root's home is 0700, so is any `mktemp -d`).
 */
export const SHARED_ROOT = '/var/lib/dermaga';

export const isRoot = () => process.getuid?.() === 0;

/**
 * Whether any user may walk down to `p` (every directory on the way, `p` included, has the
 * others' x bit). Conservative: groups and ACLs are not considered.
 */
export function reachableByOthers(p: string): boolean {
  let dir = realpathSync(p);
  for (;;) {
    if (!(statSync(dir).mode & 0o001)) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/**
 * `npm start`'s data dir: `<repo>/.data`, unless we are root and the checkout is closed to other
 * users. Postgres, MariaDB and nginx's workers run as their own users and must reach their data,
 * so then the data lives in /var/lib/dermaga/<hash of the checkout's path>, and `.data` is a
 * symlink to it. A `.data` directory left there by an earlier start is moved over once.
 */
export async function dataDirFor(repo: string, log: (line: string) => void): Promise<string> {
  const local = path.join(repo, '.data');
  if (!isRoot() || reachableByOthers(repo)) return local;
  const shared = path.join(
    SHARED_ROOT,
    createHash('sha256').update(realpathSync(repo)).digest('hex').slice(0, 12),
  );
  const linked = existsSync(local) && lstatSync(local).isSymbolicLink();
  if (linked && realpathSync(local) === shared) return shared;
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  if (existsSync(local) && !linked) {
    log(`moving ${local} to ${shared}: the postgres and mysql users cannot reach into ${repo}`);
    if (existsSync(shared)) renameSync(shared, `${shared}.old-${Date.now()}`);
    try {
      renameSync(local, shared);
    } catch {
      await run('cp', ['-a', `${local}/.`, shared]);
      await run('rm', ['-rf', local]);
    }
  } else {
    if (linked) await run('rm', ['-f', local]);
    log(`data in ${shared} (linked from ${local}): the postgres and mysql users cannot reach into ${repo}`);
  }
  mkdirSync(shared, { recursive: true });
  chmodSync(shared, 0o755);
  symlinkSync(shared, local);
  return shared;
}
