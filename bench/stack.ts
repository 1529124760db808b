import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { newSecretKey } from '../core/secret-box';
import { createDb, migrate } from '../core/db';
import { freeStackPorts, startStack } from '../scripts/stack';
import { login, startApi, type TestApi } from '../test/support/api';
import { spawnTs, stopProcess, waitForLine } from '../test/support/processes';

/**
 * Runs `measure` against a throwaway stack like the test suite's (own temp dir, free ports, one
 * worker process, an in-process API logged in as the bootstrap admin), then stops it all.
 */
export async function withBenchStack(
  measure: (api: TestApi, token: string, worker: ChildProcess) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-bench-'));
  chmodSync(dataDir, 0o755); // postgres and nginx workers run as other users
  // The stack's addresses go into this process's environment for the run and out again after it:
  // a next stack (reliability scenarios run one each) would otherwise take them for external services.
  const envBefore = { ...process.env };
  const stack = await startStack({
    dataDir,
    ports: await freeStackPorts(),
    headlessTemporal: true,
    temporalDbFile: null,
    throwaway: true,
  });
  Object.assign(process.env, stack.env, {
    LOG_LEVEL: 'warn',
    PANEL_BOOTSTRAP_PASSWORD: 'Bootstrap-Passw0rd!',
    DERMAGA_SECRET_KEY: newSecretKey(),
  });
  const db = createDb(loadConfig().DATABASE_URL);
  await migrate(db);
  await db.destroy();
  const worker = spawnTs('worker/index.ts', { LOG_LEVEL: 'info' }, path.join(dataDir, 'worker.log'));
  try {
    await waitForLine(worker, /worker polling/);
    const api = await startApi();
    try {
      await measure(api, await login(api), worker);
      console.log(
        `\nmachine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
      );
    } finally {
      await api.close();
    }
  } finally {
    await stopProcess(worker);
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
    for (const name of Object.keys(process.env)) if (!(name in envBefore)) delete process.env[name];
    Object.assign(process.env, envBefore);
  }
}

/** Waits for a job to succeed and returns the ms since `since`; a failed job throws its error. */
export async function jobDone(api: TestApi, jobId: string, since: number): Promise<number> {
  for (;;) {
    const job = await api.db('platform.jobs').where({ id: jobId }).first('status', 'error');
    if (job.status === 'failed') throw new Error(`job ${jobId} failed: ${job.error}`);
    if (job.status === 'succeeded') return performance.now() - since;
    await new Promise((r) => setTimeout(r, 5));
  }
}
