import { NativeConnection, Worker } from '@temporalio/worker';
import { hostActivities } from '../../worker/activities';
import { hostQueue } from '../../core/temporal';
import type { Config } from '../../core/config';
import { quietTemporal } from './quiet-temporal';

/**
 * An in-process worker for one host's queue with the real host activities, some of which a test
 * may replace (to fail on purpose). Only the host part: workflows stay on the suite's worker.
 */
export async function startHostWorker(
  config: Config,
  overrides: Partial<ReturnType<typeof hostActivities>> = {},
) {
  quietTemporal();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    taskQueue: hostQueue(config.HOST_ID),
    activities: { ...hostActivities(config), ...overrides },
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
