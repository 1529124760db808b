import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { newSecretKey } from '../../core/secret-box';
import { createDb, migrate } from '../../core/db';
import { ensureDockerd } from '../../scripts/stack/docker';
import { freeStackPorts, startStack } from '../../scripts/stack';
import { spawnTs, stopProcess, waitForLine } from './processes';

/**
 * Starts the real stack once for the whole suite: Postgres, a Temporal dev server, a private
 * nginx and MariaDB, dockerd when none runs, migrations, and one worker process polling the control and
 * `local` host queues. Everything lives in a fresh temp dir, on free ports. When a step fails, what
 * the earlier ones started is stopped before the error goes to jest (dockerd, a machine service, stays).
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-test-'));
  chmodSync(dataDir, 0o755); // postgres and nginx workers run as other users and must reach inside
  for (const key of [
    'DATABASE_URL',
    'TEMPORAL_ADDRESS',
    'PANEL_NGINX_SITES_DIR',
    'PANEL_MYSQL_URL',
    'PANEL_ACME_DIRECTORY_URL',
    'STRIPE_SECRET_KEY',
    'STRIPE_API_BASE',
  ] as const) {
    if (process.env.CI && process.env[key]) throw new Error(`${key} is set: the suite starts its own stack`);
  }
  // Jest runs no teardown after a failed setup: whatever this started must be stopped here.
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  let worker: ChildProcess | undefined;
  try {
    await ensureDockerd({ logFile: path.join(dataDir, 'dockerd.log') });
    stack = await startStack({
      dataDir,
      ports: await freeStackPorts(),
      headlessTemporal: true,
      temporalDbFile: null,
      throwaway: true,
    });
    Object.assign(process.env, stack.env, {
      TEST_DATA_DIR: dataDir,
      DERMAGA_SECRET_KEY: newSecretKey(),
      TEST_PEBBLE_ROOTS_URL: stack.acme.rootsUrl ?? '',
      TEST_PEBBLE_DNS_URL: stack.acme.dnsManagementUrl ?? '',
      LOG_LEVEL: 'warn',
      PANEL_BOOTSTRAP_PASSWORD: 'Bootstrap-Passw0rd!',
    });

    const db = createDb(loadConfig().DATABASE_URL);
    try {
      await migrate(db);
    } finally {
      await db.destroy();
    }

    worker = spawnTs('worker/index.ts', { LOG_LEVEL: 'info' }, path.join(dataDir, 'logs/worker.log'));
    await waitForLine(worker, /worker polling/);
  } catch (err) {
    if (worker) await stopProcess(worker).catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    process.stderr.write(
      `\nthe test stack did not start; what it started is stopped, its logs are in ${dataDir}\n`,
    );
    throw err;
  }
  (globalThis as Record<string, unknown>).__DERMAGA__ = { stack, worker, dataDir };
  process.stdout.write(
    `\nstack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (data: ${dataDir})\n`,
  );
}
