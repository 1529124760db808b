import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../core/config';
import { createDb, dbTimeouts } from '../core/db';
import { createLogger } from '../core/logger';
import { createWorkers } from './create';
import { reconcileAtStart } from '../core/workflow-starts';
import { temporalFromConfig } from '../core/temporal';
import { desiredSchedules, ensureSchedules } from './schedules';

/** The worker process: polls the queues WORKER_ROLES names until SIGINT/SIGTERM. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  // The SDK logs at WARN unless debugging: its INFO lines (bundle stats) drown the worker's own.
  Runtime.install({
    logger: new DefaultLogger(['debug', 'trace'].includes(config.LOG_LEVEL) ? 'DEBUG' : 'WARN'),
  });
  const db = createDb(config.DATABASE_URL, undefined, dbTimeouts(config));
  const workers = await createWorkers(config, db);
  const temporal = temporalFromConfig(config);
  if (config.WORKER_ROLES.includes('control'))
    await ensureSchedules(await temporal.client(), desiredSchedules(config));
  logger.info({ roles: config.WORKER_ROLES, hostId: config.HOST_ID }, 'worker polling');
  // Whatever an API recorded but never started (it died, or Temporal was down) starts now, not at the Schedule's next run.
  if (config.WORKER_ROLES.includes('control'))
    void reconcileAtStart(db, temporal, config, logger).finally(() => temporal.close());
  await workers.run(); // Worker installs SIGINT/SIGTERM handlers and drains before run() resolves
  await workers.close();
  await db.destroy();
}

main().catch((err) => {
  // A refused configuration is one line naming the variable, not a stack trace.
  console.error(err instanceof ConfigError ? `[dermaga worker] ${err.message}` : err);
  process.exit(1);
});
