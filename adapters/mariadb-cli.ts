import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const NAME = /^[A-Za-z0-9_]{1,64}$/;

/**
 * mariadb-dump and the mariadb client for whole-database dumps and loads, as the account of
 * PANEL_MYSQL_URL. Its password goes in a 0600 defaults file that lives for one call, never on a
 * command line (where `ps` would show it).
 */
export function createMariadbCli(url: string) {
  const u = new URL(url);
  async function withDefaults<T>(work: (defaultsFile: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dermaga-my-'));
    const file = path.join(dir, 'client.cnf');
    const lines = [
      '[client]',
      `user=${decodeURIComponent(u.username)}`,
      `host=${u.hostname}`,
      `port=${u.port || 3306}`,
      'protocol=tcp',
    ];
    if (u.password) lines.push(`password="${decodeURIComponent(u.password).replace(/(["\\])/g, '\\$1')}"`);
    await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    try {
      return await work(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Runs a client program with stdin/stdout wired to files; rejects with its stderr on failure. */
  function runProgram(bin: string, args: string[], io: { stdin?: string; stdout?: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(bin, args, {
        stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (c) => (stderr += c));
      const pipes: Promise<void>[] = [];
      if (io.stdout && child.stdout)
        pipes.push(pipeline(child.stdout, createWriteStream(io.stdout, { mode: 0o600 })));
      if (io.stdin && child.stdin) pipes.push(pipeline(createReadStream(io.stdin), child.stdin));
      child.on('error', reject);
      child.on('close', async (code) => {
        await Promise.allSettled(pipes);
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `${path.basename(bin)} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' ')}`,
            ),
          );
      });
    });
  }

  const check = (name: string) => {
    if (!NAME.test(name)) throw new Error(`refusing database name ${JSON.stringify(name)}`);
    return name;
  };

  return {
    /** A consistent dump of one database (tables, routines, triggers) into `file`. */
    dump: (database: string, file: string) =>
      withDefaults((cnf) =>
        runProgram(
          'mariadb-dump',
          [
            `--defaults-extra-file=${cnf}`,
            '--single-transaction',
            '--routines',
            '--triggers',
            '--events',
            check(database),
          ],
          { stdout: file },
        ),
      ),

    /** Loads a dump into an existing database. */
    load: (database: string, file: string) =>
      withDefaults((cnf) =>
        runProgram('mariadb', [`--defaults-extra-file=${cnf}`, check(database)], { stdin: file }),
      ),
  };
}
export type MariadbCli = ReturnType<typeof createMariadbCli>;
