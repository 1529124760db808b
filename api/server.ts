import { ConfigError, loadConfig } from '../core/config';
import { createDb, dbTimeouts, migrate } from '../core/db';
import { createDocker } from '../core/docker';
import { createLogger } from '../core/logger';
import { armFaults } from '../core/faults';
import { temporalFromConfig } from '../core/temporal';
import { reconcileAtStart } from '../core/workflow-starts';
import { createApp } from './app';
import { answerClientErrors } from './http/client-errors';

/** The API process: migrate, start products, listen; SIGINT/SIGTERM close it cleanly. */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const db = createDb(config.DATABASE_URL, undefined, dbTimeouts(config));
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  armFaults(config.DERMAGA_FAULT);
  if (config.DERMAGA_FAULT)
    logger.warn({ fault: config.DERMAGA_FAULT }, 'TEST ONLY fault point armed (DERMAGA_FAULT)');
  const temporal = temporalFromConfig(config);
  const {
    app,
    metricsApp,
    mounted,
    start,
    stop: stopProducts,
  } = createApp({ config, db, temporal, docker: createDocker(config.DOCKER_HOST), logger });
  await start();
  const server = app.listen(config.PORT, config.HOST, () => {
    logger.info(
      { port: config.PORT, products: mounted.map((m) => `${m.product.name}=${m.prefix || '/'}`) },
      'api listening',
    );
  });
  // What an earlier run of this (or another) API recorded but never started starts now.
  void reconcileAtStart(db, temporal, config, logger);
  answerClientErrors(server);
  const metricsServer = metricsApp?.listen(config.METRICS_PORT ?? 0, config.METRICS_HOST, () => {
    logger.info({ port: config.METRICS_PORT, host: config.METRICS_HOST }, 'metrics listening');
  });
  // A Ctrl-C under `npm start` reaches us twice (the terminal's SIGINT, then npm start's SIGTERM).
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    logger.info('api stopping');
    server.close();
    metricsServer?.close();
    void Promise.all([stopProducts(), db.destroy(), temporal.close()]).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err) => {
  // A refused configuration is one line naming the variable, not a stack trace.
  console.error(err instanceof ConfigError ? `[dermaga api] ${err.message}` : err);
  process.exit(1);
});
