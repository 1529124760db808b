import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';
import { assertPortFree, spawnLogged, stopChild, waitForPort } from './processes';

const exec = promisify(execFile);
const ADMIN = 'dermaga';

function findMariadb(): { server: string; installDb: string } {
  const server = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find(existsSync);
  const installDb = ['/usr/bin/mariadb-install-db', '/usr/bin/mysql_install_db'].find(existsSync);
  if (!server || !installDb)
    throw new Error(
      'mariadb-server is not installed: apt-get install mariadb-server (panel databases need it)',
    );
  return { server, installDb };
}

/** The OS user mariadbd runs as: `mysql` (from the package) when we are root, else ourselves. */
function serverUser(): { name: string; uid: number; gid: number } {
  const me = os.userInfo();
  if (me.uid !== 0) return { name: me.username, uid: me.uid, gid: me.gid };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('mysql:'));
  if (!line) throw new Error('the mysql system user is missing: reinstall mariadb-server');
  const [, , uid, gid] = line.split(':');
  return { name: 'mysql', uid: Number(uid), gid: Number(gid) };
}

/** Stops a mariadbd left running by an earlier run that was killed: it holds the data dir's lock. */
async function stopStale(pidFile: string): Promise<void> {
  const pid = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : 0);
  if (!(pid > 0)) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 30_000 && alive(); waited += 100)
    await new Promise((r) => setTimeout(r, 100));
}

/** The admin password: generated once, kept in `<dir>/admin-password` (0600), reused after. */
function adminPassword(dir: string): string {
  const file = path.join(dir, 'admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(`${file}.tmp`, `${password}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return password;
}

/**
 * Dermaga's admin account, set on every start (so it follows the password file): it may create
 * databases and users and grant them. The install made root reachable only through the unix socket
 * by the OS user of the same name (unix_socket auth), so there is no password-less TCP login.
 */
async function ensureAdmin(socketPath: string, password: string): Promise<void> {
  const me = os.userInfo();
  const conn = await createConnection({
    socketPath,
    user: me.uid === 0 ? 'root' : me.username,
    connectTimeout: 10_000,
  });
  try {
    await conn.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [ADMIN, '127.0.0.1', password]);
    await conn.query('ALTER USER ?@? IDENTIFIED BY ?', [ADMIN, '127.0.0.1', password]);
    await conn.query('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [ADMIN, '127.0.0.1']);
  } finally {
    await conn.end();
  }
}

/**
 * A private mariadbd (not the system service) for panel databases: data, socket, pid file and
 * logs under `dir`, listening on 127.0.0.1:port only, run in the foreground as our child.
 * Initialised once; a second start reuses the data and the admin password.
 */
export async function startMariadb(opts: { dir: string; port: number }) {
  const bin = findMariadb();
  const user = serverUser();
  const dataDir = path.join(opts.dir, 'data');
  const socketPath = path.join(opts.dir, 'mysqld.sock');
  const pidFile = path.join(opts.dir, 'mysqld.pid');
  // Its own temp dir: a starting mariadbd deletes every `#sql*` file in its tmpdir, which in a
  // shared /tmp are another server's temporary tables (seen breaking a concurrent install).
  const tmpDir = path.join(opts.dir, 'tmp');
  mkdirSync(tmpDir, { recursive: true });
  for (const dir of [opts.dir, tmpDir]) chownSync(dir, user.uid, user.gid); // mariadbd writes its socket, pid file, log and temp files here
  await stopStale(pidFile);
  await assertPortFree(opts.port, 'MariaDB'); // else waiting for the port would be fooled by another server
  if (!existsSync(path.join(dataDir, 'mysql'))) {
    await exec(
      bin.installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        `--tmpdir=${tmpDir}`,
        `--user=${user.name}`,
        '--auth-root-authentication-method=socket',
        '--skip-name-resolve',
        '--skip-test-db',
      ],
      { timeout: 120_000 },
    ).catch((err: Error & { stderr?: string }) => {
      throw new Error(`mariadb-install-db failed: ${err.stderr?.trim() || err.message}`);
    });
  }
  const child = spawnLogged(
    bin.server,
    [
      '--no-defaults', // not Debian's /etc/mysql: this server is ours alone
      `--datadir=${dataDir}`,
      `--tmpdir=${tmpDir}`,
      `--port=${opts.port}`,
      '--bind-address=127.0.0.1',
      '--skip-networking=0',
      '--skip-name-resolve', // clients are matched by address: 'u'@'127.0.0.1', never by a reverse lookup
      `--socket=${socketPath}`,
      `--pid-file=${pidFile}`,
      `--log-error=${path.join(opts.dir, 'error.log')}`,
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_unicode_ci',
      ...(os.userInfo().uid === 0 ? [`--user=${user.name}`] : []),
    ],
    path.join(opts.dir, 'mariadbd.out'),
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`mariadbd exited (${code}); see ${opts.dir}/error.log`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([exited, waitForPort(opts.port)]);
    const password = adminPassword(opts.dir);
    // mariadbd opens its TCP port a moment before its socket: under load (a first start that
    // builds Go tools on two cores) the gap has passed 10 s.
    for (const deadline = Date.now() + 60_000; ;) {
      try {
        await ensureAdmin(socketPath, password);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (Date.now() > deadline || (code !== 'ECONNREFUSED' && code !== 'ENOENT')) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return {
      url: `mysql://${ADMIN}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`,
      socketPath,
      stop: () => stopChild(child, 30_000),
    };
  } catch (err) {
    await stopChild(child, 30_000);
    throw err;
  }
}
