import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { Config } from '../core/config';
import { CONTROL_QUEUE, hostQueue, temporalFromConfig } from '../core/temporal';
import { controlActivities, hostActivities } from './activities';

/**
 * The workers of one process: the control plane (workflows + database activities) and/or this
 * host's queue, as WORKER_ROLES says. `extra` lets a caller add options such as interceptors.
 */
export async function createWorkers(config: Config, db: Knex, extra: Partial<WorkerOptions> = {}) {
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // The outbox's reconciler activity starts workflows through a client with the configured deadlines.
  const temporal = temporalFromConfig(config);
  const workers: Worker[] = [];
  if (config.WORKER_ROLES.includes('control')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: CONTROL_QUEUE,
        workflowsPath: require.resolve('../workflows'),
        activities: controlActivities(db, config, temporal),
        ...extra,
      }),
    );
  }
  if (config.WORKER_ROLES.includes('host')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: hostQueue(config.HOST_ID),
        activities: hostActivities(config),
        // Host activities heartbeat each second; send each on (not every 80% of the timeout), so a
        // busy moment does not let the 5 s heartbeat timeout lapse on a live worker.
        maxHeartbeatThrottleInterval: '1 second',
        ...extra,
      }),
    );
  }
  return {
    workers,
    run: () => Promise.all(workers.map((w) => w.run())),
    shutdown: () => workers.forEach((w) => w.shutdown()),
    close: () => Promise.all([connection.close(), temporal.close()]).then(() => undefined),
  };
}
