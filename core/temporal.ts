import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

export const CONTROL_QUEUE = 'dermaga-control';
export const hostQueue = (hostId: string) => `dermaga-host-${hostId}`;

/** Connects lazily so the API can start (and report unhealthy) while Temporal is down. */
export function createTemporal(address: string, namespace: string) {
  let client: Promise<Client> | undefined;
  const get = () => {
    client ??= Connection.connect({ address, connectTimeout: 3000 }).then(
      (connection) => new Client({ connection, namespace }),
      (err) => {
        client = undefined;
        throw err;
      },
    );
    return client;
  };
  return {
    namespace,
    client: get,
    async close() {
      if (client) await client.then((c) => c.connection.close()).catch(() => undefined);
    },
  };
}
export type Temporal = ReturnType<typeof createTemporal>;

export { WorkflowExecutionAlreadyStartedError };
