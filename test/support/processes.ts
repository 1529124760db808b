import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { spawnLogged, stopChild } from '../../scripts/stack/processes';

export const repoRoot = path.resolve(__dirname, '../..');

/** Starts a TypeScript entrypoint of this repo as its own process, output to a log file. */
export const spawnTs = (entry: string, env: Record<string, string>, logFile: string): ChildProcess =>
  spawnLogged(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry)], logFile, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });

/** Resolves once the process logs a line matching `ready`, or rejects if it exits first. */
export function waitForLine(child: ChildProcess, ready: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no "${ready}" within ${timeoutMs} ms:\n${seen.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (ready.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before it was ready:\n${seen.slice(-2000)}`));
    });
  });
}

export const stopProcess = (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') =>
  stopChild(child, 10_000, signal);
