import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port the kernel has just handed out, free for the next moment. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `n` distinct free ports: every listener stays open until all are bound, so the kernel cannot
 * hand the same port out twice (it may, once the first listener has closed).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((srv) => (srv.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
  }
}

/** Whether host:port accepts a TCP connection right now. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const sock = net.connect({ port, host }, () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

/**
 * Throws when something already listens on the port we are about to start a server on: else
 * waiting for the port would be fooled by the other program while ours fails to bind.
 */
export async function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  if (await portOpen(port, host))
    throw new Error(`${what}: ${host}:${port} is already in use by another program`);
}

/** Resolves once host:port accepts a TCP connection. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await portOpen(port, host)) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * Resolves once `url` answers HTTP at all (any status: the server is up). `gone` is checked
 * between attempts so a server that died is reported at once instead of after the timeout.
 */
export async function waitForHttp(
  url: string,
  opts: { timeoutMs?: number; gone?: () => string | null } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = opts.gone?.();
    if (why) throw new Error(why);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** Starts a program (argument array, no shell) with its output appended to a log file. */
export function spawnLogged(
  file: string,
  args: string[],
  logFile: string,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): ChildProcess {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false }); // two sources, one log: neither may end it
  child.stderr?.pipe(log, { end: false });
  return child;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
export async function stopChild(
  child: ChildProcess,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a live process ('' when gone, or a zombie whose cmdline is empty). */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * A process left running by an earlier run that was killed (SIGKILL gives us no chance to stop
 * our children) still holds its port and data. If `pidFile` names a live process whose command
 * line matches `match`, stop it (signal, then SIGKILL after the grace period). A pid file whose
 * process is gone, or is now some unrelated program (pids get reused), is removed with
 * `removeStale` so the program does not refuse to start over it. Returns the pid it stopped.
 */
export async function stopStale(
  pidFile: string,
  opts: {
    match: (cmdline: string) => boolean;
    signal?: NodeJS.Signals;
    graceMs?: number;
    removeStale?: boolean;
  },
): Promise<number | null> {
  if (!existsSync(pidFile)) return null;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  const ours = pid > 0 && pid !== process.pid && pidAlive(pid) && opts.match(cmdline(pid));
  if (!ours) {
    if (opts.removeStale) rmSync(pidFile, { force: true });
    return null;
  }
  process.kill(pid, opts.signal ?? 'SIGTERM');
  const deadline = Date.now() + (opts.graceMs ?? 15_000);
  while (pidAlive(pid) && cmdline(pid) && Date.now() < deadline) await sleep(100);
  if (pidAlive(pid) && cmdline(pid)) {
    process.kill(pid, 'SIGKILL');
    while (pidAlive(pid) && cmdline(pid)) await sleep(50);
  }
  if (opts.removeStale) rmSync(pidFile, { force: true });
  return pid;
}
