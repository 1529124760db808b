/**
 * Checks that the test suite's global setup (test/support/global-setup.ts) stops what it started
 * when one of its steps fails: jest runs no teardown after a failed setup, so anything left would
 * run on, holding ports and temp dirs. Each scenario breaks one step in a child process marked
 * with an environment variable of its own; once the child has failed, no process carrying that
 * mark may remain (dockerd excepted: the setup starts it as a machine service, meant to stay).
 *
 *   npm run check:setup-cleanup
 *
 * Exits 1 naming what was left behind (and stops it).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import globalSetup from '../test/support/global-setup';

const SCENARIOS: Record<string, { what: string; env: Record<string, string> }> = {
  'stack-part': {
    what: 'one part of the stack (stripe-mock) fails while the others are starting',
    env: { STRIPE_MOCK_BIN: '/nonexistent/stripe-mock' },
  },
  config: {
    what: 'the configuration is refused once the whole stack is up',
    env: { WORKER_ROLES: 'control,nonsense' },
  },
  worker: {
    what: 'the worker process dies before it polls, after the migrations',
    // Only processes started after this is set read it: the worker, not this child.
    env: { NODE_OPTIONS: '--require=/nonexistent/dermaga-broken-worker.js' },
  },
};

const MARK = 'DERMAGA_SETUP_CLEANUP_CHECK';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Processes whose environment carries `mark` or whose command line names `dir` (nginx and php-fpm
 * rewrite their environment with their process titles, which still name their config files).
 */
function marked(mark: string, dir: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (!env.includes(`${MARK}=${mark}`) && !cmd.includes(dir)) continue;
      if (cmd && !/(^|\/)(dockerd|containerd)\b/.test(cmd)) found.push({ pid, cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** In the child: break one step, run the setup, report how it failed. */
async function runScenario(name: string): Promise<void> {
  Object.assign(process.env, SCENARIOS[name].env);
  try {
    await globalSetup();
  } catch (err) {
    process.stdout.write(`setup failed as meant: ${(err as Error).message.split('\n')[0]}\n`);
    // As jest does after a failed setup: exit now, whatever still runs (that is what is checked).
    process.exit(0);
  }
  process.stdout.write('setup did not fail\n');
  process.exit(2);
}

async function main(): Promise<void> {
  let failed = 0;
  for (const [name, { what }] of Object.entries(SCENARIOS)) {
    const mark = randomUUID();
    // A temp dir of its own: the setup's data dir lands inside, removed after the check.
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'dermaga-setup-check-'));
    chmodSync(tmp, 0o755); // postgres runs as its own user and must reach the data dir inside
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, name], {
      env: { ...process.env, [MARK]: mark, TMPDIR: tmp, CI: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    clearTimeout(timer);
    let left = marked(mark, tmp);
    for (let i = 0; i < 20 && left.length; i++) {
      await sleep(250); // a process stopped just now may still be going
      left = marked(mark, tmp);
    }
    const ok = code === 0 && /setup failed as meant/.test(out) && left.length === 0;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${what}\n     ${out.trim().split('\n').pop()}\n`);
    for (const p of left) {
      process.stdout.write(`     left running: ${p.pid} ${p.cmd.slice(0, 160)}\n`);
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (!ok) failed++;
    rmSync(tmp, { recursive: true, force: true });
  }
  process.stdout.write(`setup cleanup: ${Object.keys(SCENARIOS).length - failed} passed, ${failed} failed\n`);
  process.exitCode = failed ? 1 : 0;
}

const scenario = process.argv[2];
void (scenario ? runScenario(scenario) : main()).catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exitCode = 1;
});
