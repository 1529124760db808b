/**
 * `npm start`: Dermaga on its embedded defaults. Installs the system packages that are missing
 * (as root, with apt: scripts/ensure-system-packages.sh, the list .ci/run uses), starts a Docker
 * engine when none runs, starts what is not configured (Postgres, Temporal dev server, a private
 * nginx, php-fpm, MariaDB, pebble, stripe-mock), migrates, then runs the worker and the API as
 * children and prints where everything is. Ctrl-C stops everything it started; data stays in .data/
 * (as root in a checkout other users cannot enter, a symlink to /var/lib/dermaga/<hash>).
 * Any failure ends in one line: `[dermaga] start failed: <why>`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { newSecretKey } from '../core/secret-box';
import { createDb, dbTimeouts, migrate } from '../core/db';
import { startStack } from './stack';
import { ensureDockerd } from './stack/docker';
import { stopChild, stopStale, waitForHttp } from './stack/processes';
import { dataDirFor, isRoot } from './stack/reachable';

const root = path.resolve(__dirname, '..');
/** `.data` in the checkout, or where it links to (see dataDirFor); settled first thing in main(). */
let dataDir = path.join(root, '.data');
const say = (line: string): void => void process.stdout.write(`[dermaga] ${line}\n`);
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/**
 * Stops whatever has started and exits with `code`; with `why`, a failure, said last in one line.
 * Replaced once main() is under way.
 */
let stopAll = async (code: number, why?: string): Promise<void> => {
  if (why) console.error(`[dermaga] start failed: ${why}`);
  process.exit(code);
};

/** An error as one line: its message's lines joined, stack frames dropped, long output cut. */
function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : String(err);
  const line = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^at /.test(l))
    .join(' | ');
  return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}

/** Runs a script under scripts/, its output lines prefixed; resolves with its exit code. */
function runScript(file: string, args: string[], prefix: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const proc = execFile(
      'bash',
      [path.join(__dirname, file), ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (err, out) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: out.trim() }),
    );
    if (prefix)
      for (const stream of [proc.stdout, proc.stderr])
        stream?.on('data', (chunk: Buffer) =>
          chunk
            .toString()
            .split('\n')
            .filter(Boolean)
            .forEach((l) => process.stdout.write(`[${prefix}] ${l}\n`)),
        );
  });
}

/**
 * The system packages the stack runs (nginx, php-fpm, MariaDB, pebble, Docker…): installed with
 * apt when we are root, else the one command to run is said. Never fatal: without them `npm start`
 * still runs, and only what needs them fails.
 */
async function ensureSystemPackages(): Promise<void> {
  const check = await runScript('ensure-system-packages.sh', ['--check'], '');
  if (check.code === 0) return;
  const command = 'sudo bash scripts/ensure-system-packages.sh';
  if (check.code !== 1)
    return say(`warning: cannot check the system packages here (no dpkg); see ${command}`);
  if (!isRoot() || !existsSync('/usr/bin/apt-get'))
    return say(
      `warning: missing ${check.out} (panel sites, PHP, MariaDB, certificates and gpu-lab need them); to install them run: ${command}`,
    );
  say(`installing the missing system packages with apt-get (once; the list .ci/run uses): ${check.out}`);
  const install = await runScript('ensure-system-packages.sh', [], 'apt');
  if (install.code !== 0) say(`warning: apt-get failed (${install.code}); starting without: ${check.out}`);
}

interface Child {
  name: string;
  proc: ChildProcess;
  /** Its last lines of output, shown when it dies unexpectedly. */
  recent: string[];
}

/**
 * Runs a TypeScript entrypoint with its output prefixed, so the terminal shows who said what.
 * Its pid goes to .data/run/<name>.pid: a start after a killed one stops the orphan (it would
 * hold the API's port, or poll the queues with old code).
 */
async function child(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  onLine: (line: string) => void = () => undefined,
): Promise<Child> {
  const script = path.join(root, entry);
  const pidFile = path.join(dataDir, 'run', `${name}.pid`);
  await stopStale(pidFile, { match: (cmd) => cmd.includes(script), removeStale: true });
  const proc = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  mkdirSync(path.dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${proc.pid}\n`);
  proc.once('exit', () => rmSync(pidFile, { force: true }));
  const recent: string[] = [];
  for (const stream of [proc.stdout, proc.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        process.stdout.write(`[${name}] ${line}\n`);
        recent.push(line);
        if (recent.length > 20) recent.shift();
        onLine(line);
      }
    });
  }
  return { name, proc, recent };
}

/** The dev stack's secret key, made once and kept beside the data it protects (0600). */
function localSecretKey(): string {
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file)) writeFileSync(file, `${newSecretKey()}\n`, { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

async function main() {
  const started = performance.now();
  let stopping = false;
  const children: Child[] = [];
  let stackStarting: ReturnType<typeof startStack> | null = null;
  stopAll = async (code: number, why?: string) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    // The API first (no new work), then the worker (drains its tasks), then the stack.
    for (const c of [...children].reverse()) await stopChild(c.proc).catch(() => undefined);
    const stack = await stackStarting?.catch(() => null);
    await stack?.stop().catch(() => undefined);
    say('stopped');
    if (why) console.error(`[dermaga] start failed: ${why}`);
    process.exit(code);
  };
  for (const signal of SIGNALS)
    process.on(signal, () => (stopping ? say('still stopping…') : void stopAll(0)));

  dataDir = await dataDirFor(root, say);
  await ensureSystemPackages();
  if (stopping) return;
  // gpu-lab runs containers: without an engine the rest still works, so this is a warning.
  await ensureDockerd({ logFile: path.join(dataDir, 'logs', 'dockerd.log'), log: say }).catch((err: Error) =>
    say(`warning: gpu-lab needs a Docker engine: ${oneLine(err)}`),
  );
  if (stopping) return;
  stackStarting = startStack({ dataDir, log: say, hostToolsOptional: true });

  const stack = await stackStarting;
  if (stopping) return;
  say(`stack up in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  const env = {
    ...process.env,
    ...stack.env,
    DERMAGA_SECRET_KEY: process.env.DERMAGA_SECRET_KEY ?? localSecretKey(),
  };
  const config = loadConfig(env);

  const db = createDb(config.DATABASE_URL, { min: 0, max: 1 }, dbTimeouts(config));
  const applied = await migrate(db).finally(() => db.destroy());
  if (applied.length) say(`migrations applied: ${applied.length}`);
  if (stopping) return;

  let workerPolling: () => void = () => undefined;
  const polling = new Promise<void>((resolve) => (workerPolling = resolve));
  children.push(
    await child(
      'worker',
      'worker/index.ts',
      env,
      (line) => line.includes('worker polling') && workerPolling(),
    ),
  );
  children.push(await child('api', 'api/server.ts', env));
  for (const c of children) {
    c.proc.once('exit', (code, signal) => {
      if (stopping) return;
      say(`${c.name} exited unexpectedly (${signal ?? code}); its last lines:`);
      for (const line of c.recent.filter((l) => !/^\s+at /.test(l))) say(`  | ${line}`);
      void stopAll(1, `the ${c.name} exited (${signal ?? code}); its last lines are above`);
    });
  }

  const api = `http://localhost:${config.PORT}`;
  const apiChild = children[1];
  await waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`, {
    timeoutMs: 120_000,
    gone: () =>
      apiChild.proc.exitCode !== null
        ? `the API exited (${apiChild.proc.exitCode}) before it answered`
        : null,
  });
  // The worker says so once it polls; a LOG_LEVEL above info hides that line, so do not wait forever.
  const polled = await Promise.race([
    polling.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 60_000)),
  ]);
  if (!polled) say('warning: the worker has not said "worker polling" within 60 s');
  if (stopping) return;
  say(`ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  say(`  API          ${api}   (GET / lists the products; panel at ${api}/panel)`);
  say(`  API docs     ${api}/docs`);
  say(`  Temporal UI  ${config.TEMPORAL_UI_URL}`);
  if (stack.urls.sites) say(`  panel sites  ${stack.urls.sites}   (nginx; send the site's Host header)`);
  if (stack.urls.acme)
    say(
      `  ACME CA      ${stack.urls.acme}   (pebble, a local test CA: its certificates are not publicly trusted)`,
    );
  if (stack.urls.stripe)
    say(
      `  Stripe       ${stack.urls.stripe}   (stripe-mock: billing's Stripe calls go here until STRIPE_SECRET_KEY is set)`,
    );
  say(`  data         ${dataDir}`);
  say('Ctrl-C stops everything.');
}

// Whatever fails, here or in a library's callback, ends in one line, never a stack trace.
const fail = (err: unknown) => void stopAll(1, oneLine(err));
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
main().catch(fail);
