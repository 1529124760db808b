import { ApplicationFailure, Context } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Artifact, BackupFile, PanelState, SiteWorkflowInput } from '../../types/panel';
import { siteUser } from './php-host';
import { ownDirectory } from '../../adapters/accounts';
import { run } from '../../adapters/exec';
import { Conflict } from '../../core/errors';
import type { SecretBox } from '../../core/secret-box';
import type { Mariadb } from '../../adapters/mariadb';
import type { MariadbCli } from '../../adapters/mariadb-cli';

/** `nusantara_state_YYYYMMDD_HHMMSS.json`: the only names a backup file may have. */
export const STATE_FILE = /^nusantara_state_(\d{8})_(\d{6})\.json$/;

const refuse = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Resolves a restore request to a state file directly inside the backup directory: absolute, the
 * right name, no symlink leading elsewhere. The API checks the same before starting anything.
 */
export async function backupFileInside(dir: string, file: string): Promise<string | null> {
  if (!path.isAbsolute(file) || path.normalize(file) !== file || !STATE_FILE.test(path.basename(file)))
    return null;
  const realDir = await realpath(dir).catch(() => null);
  const real = await realpath(file).catch(() => null);
  if (!realDir || !real || path.dirname(real) !== realDir || path.basename(real) !== path.basename(file))
    return null;
  if (path.dirname(file) !== dir && path.dirname(file) !== realDir) return null;
  return real;
}

/**
 * Backups on the panel's host: each site's files (tar.gz) and each database's dump beside a state
 * file that lists them with their SHA-256. Artifacts are written under a hidden partial name and
 * the state file last, by rename: a backup is listed only once it is whole.
 */
export function createBackupHostActivities(deps: {
  dir: string;
  mariadb: Mariadb;
  mariadbCli: MariadbCli;
  secrets: SecretBox;
}) {
  const { dir, secrets } = deps;
  /**
   * Account hashes are plain only in the backup file (0600, root's) and in MariaDB: in a workflow's
   * inputs and results, which Temporal keeps in its history, they travel sealed.
   */
  const withHashes = (state: PanelState, change: (hash: string) => string): PanelState => ({
    ...state,
    databases: state.databases.map((d) => ({
      ...d,
      users: d.users.map((u) => ({
        ...u,
        password_hash: u.password_hash === null ? null : change(u.password_hash),
      })),
    })),
  });

  return {
    async writeBackup({
      stamp,
      state,
    }: {
      stamp: string;
      state: PanelState;
    }): Promise<{ file: string; bytes: number; artifacts: number }> {
      const name = `nusantara_state_${stamp}`;
      const partial = path.join(dir, `.${name}.partial`);
      const final = path.join(dir, name);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await rm(partial, { recursive: true, force: true });
      await mkdir(path.join(partial, 'sites'), { recursive: true, mode: 0o700 });
      await mkdir(path.join(partial, 'databases'), { recursive: true, mode: 0o700 });
      const artifacts: Artifact[] = [];
      const skipped = { sites: new Set<string>(), databases: new Set<string>() };
      const add = async (kind: Artifact['kind'], artifactName: string, rel: string) => {
        const file = path.join(partial, rel);
        artifacts.push({
          kind,
          name: artifactName,
          path: path.join(name, rel),
          sha256: await sha256File(file),
          bytes: (await stat(file)).size,
        });
      };
      try {
        for (const site of state.sites) {
          Context.current().heartbeat(`site ${site.domain}`);
          if (!(await stat(site.root_path).catch(() => null))) {
            skipped.sites.add(site.id); // deleted while the backup ran: there is nothing left to keep
            continue;
          }
          const rel = path.join('sites', `${site.domain}.tar.gz`);
          // --exclude: the ownership marker names this site id; a restore writes its own.
          // Not the marker, nor a PHP site's temporary files and sessions.
          const exclude = ['--exclude=./.dermaga-site', '--exclude=./.dermaga-php'];
          const args = ['-czf', path.join(partial, rel), ...exclude, '-C', site.root_path, '.'];
          const r = await run('tar', args, { timeoutMs: 30 * 60_000 });
          if (r.code !== 0) throw new Error(`tar of ${site.root_path} failed: ${r.stderr.trim()}`);
          await add('site', site.domain, rel);
        }
        for (const db of state.databases) {
          Context.current().heartbeat(`database ${db.name}`);
          const rel = path.join('databases', `${db.name}.sql`);
          try {
            await deps.mariadbCli.dump(db.name, path.join(partial, rel));
          } catch (err) {
            // Still there (or MariaDB cannot say): the dump's own error is the reason.
            const present = await deps.mariadb.listDatabases().then(
              (names) => names.includes(db.name),
              () => true,
            );
            if (present) throw err;
            skipped.databases.add(db.id); // dropped while the backup ran
            continue;
          }
          await add('database', db.name, rel);
        }
      } catch (err) {
        await rm(partial, { recursive: true, force: true }); // a failed attempt leaves nothing behind
        throw err;
      }
      // `sha256sum -c SHA256SUMS` inside the directory checks it by hand.
      await writeFile(
        path.join(partial, 'SHA256SUMS'),
        artifacts.map((a) => `${a.sha256}  ${path.relative(name, a.path)}\n`).join(''),
        { mode: 0o600 },
      );
      await rm(final, { recursive: true, force: true });
      await rename(partial, final);
      // What was deleted while the backup ran is not in it: a restore does not bring it back.
      const kept: PanelState = {
        ...state,
        sites: state.sites.filter((x) => !skipped.sites.has(x.id)),
        databases: state.databases.filter((x) => !skipped.databases.has(x.id)),
        certificates: state.certificates.filter((c) => !skipped.sites.has(c.site_id)),
      };
      const body: BackupFile = {
        format: 'nusantara-panel-backup/1',
        created_at: new Date().toISOString(),
        state: withHashes(kept, secrets.open), // the file holds the hashes themselves
        artifacts,
      };
      const file = path.join(dir, `${name}.json`);
      await writeFile(`${file}.tmp`, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
      return {
        file,
        bytes: artifacts.reduce((n, a) => n + a.bytes, 0) + (await stat(file)).size,
        artifacts: artifacts.length,
      };
    },

    /** Keeps the newest `keep` backups (by the time in their names); older state files and their artifacts go. */
    async pruneBackups({ keep }: { keep: number }): Promise<string[]> {
      const files = (await readdir(dir).catch(() => []))
        .filter((f) => STATE_FILE.test(f))
        .sort()
        .reverse();
      const removed = files.slice(keep);
      for (const f of removed) {
        await rm(path.join(dir, f), { force: true });
        await rm(path.join(dir, f.replace(/\.json$/, '')), { recursive: true, force: true });
      }
      return removed;
    },

    /** Reads a state file and checks every artifact's checksum; a mismatch names the file and stops the restore before it changes anything. */
    async verifyBackup({ file }: { file: string }): Promise<BackupFile> {
      const real = await backupFileInside(dir, file);
      if (!real) throw refuse('invalid_request', `${file} is not a backup file inside ${dir}`);
      const body = JSON.parse(await readFile(real, 'utf8')) as BackupFile;
      if (body.format !== 'nusantara-panel-backup/1')
        throw refuse(
          'invalid_backup',
          `${file} is not a Nusantara Panel backup (format ${String(body.format)})`,
        );
      for (const a of body.artifacts) {
        Context.current().heartbeat(a.path);
        const p = path.resolve(dir, a.path);
        if (!p.startsWith(`${path.resolve(dir)}/`))
          throw refuse('invalid_backup', `${file} names an artifact outside the backup directory: ${a.path}`);
        const actual = await sha256File(p).catch(() => null);
        if (actual !== a.sha256)
          throw refuse(
            'backup_corrupt',
            `${a.path}: ${actual ? 'checksum mismatch' : 'missing'}; nothing was restored`,
          );
      }
      return { ...body, state: withHashes(body.state, secrets.seal) };
    },

    /**
     * Unpacks a site's archive into its (freshly provisioned) root. A PHP site's files go back to
     * its own user, which its PHP-FPM pool runs as (an app writes its uploads and caches). The root
     * itself keeps the owner, group and mode provisioning gave it (nginx reads through its group).
     */
    async restoreSiteFiles({
      artifact,
      site,
    }: {
      artifact: string;
      site: Pick<SiteWorkflowInput, 'siteId' | 'rootPath' | 'runtime'>;
    }): Promise<void> {
      const { rootPath } = site;
      const owner = site.runtime === 'php' ? siteUser(site.siteId) : null;
      const provisioned = await stat(rootPath);
      const r = await run('tar', ['-xzf', path.resolve(dir, artifact), '--no-same-owner', '-C', rootPath], {
        timeoutMs: 30 * 60_000,
      });
      if (r.code !== 0) throw new Error(`unpacking ${artifact} into ${rootPath} failed: ${r.stderr.trim()}`);
      if (owner) {
        const c = await run('chown', ['-R', '--no-dereference', `${owner}:${owner}`, rootPath]);
        if (c.code !== 0) throw new Error(`chown of ${rootPath} to ${owner} failed: ${c.stderr.trim()}`);
      }
      await ownDirectory(rootPath, provisioned.uid, provisioned.gid, provisioned.mode & 0o7777);
    },

    /**
     * Creates the database, loads its dump, and brings back its users from their password hashes.
     * A database or account that already exists on the server is never overwritten: the database
     * is refused by name, an account is kept as it is and reported.
     */
    async restoreDatabase({
      artifact,
      database,
    }: {
      artifact: string;
      database: PanelState['databases'][number];
    }): Promise<{ restored: { username: string; host: string }[]; notRestored: string[] }> {
      await deps.mariadb.createDatabase(database.name).catch((err: Error) => {
        throw err instanceof Conflict
          ? refuse(
              'database_exists',
              `database ${database.name} exists on the MariaDB server but not in the panel; rename or drop it, then restore again`,
            )
          : err;
      });
      await deps.mariadbCli.load(database.name, path.resolve(dir, artifact));
      const notRestored: string[] = [];
      const restored: { username: string; host: string }[] = [];
      for (const u of database.users) {
        if (!u.password_hash) {
          notRestored.push(`${u.username}@${u.host} (no password hash in the backup: create it again)`);
          continue;
        }
        const account = { database: database.name, username: u.username, host: u.host };
        const passwordHash = secrets.open(u.password_hash);
        await deps.mariadb.createUserWithHash({ ...account, passwordHash }).then(
          () => restored.push({ username: u.username, host: u.host }),
          (err: Error) => {
            if (!(err instanceof Conflict)) throw err;
            notRestored.push(`${u.username}@${u.host} (an account of that name exists: kept as it is)`);
          },
        );
      }
      return { restored, notRestored };
    },

    /** Each database user's password hash, read at backup time (never the password), sealed. */
    async databaseUserHashes({
      users,
    }: {
      users: { username: string; host: string }[];
    }): Promise<(string | null)[]> {
      const hashes = await Promise.all(users.map((u) => deps.mariadb.passwordHash(u).catch(() => null)));
      return hashes.map((h) => (h === null ? null : secrets.seal(h)));
    },

    /** The databases the MariaDB server has now: a restore brings back what is missing there. */
    listServerDatabases: (): Promise<string[]> => deps.mariadb.listDatabases(),
  };
}
export type BackupHostActivities = ReturnType<typeof createBackupHostActivities>;
