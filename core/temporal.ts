import {
  Client,
  Connection,
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { Unavailable } from './errors';

export { CONTROL_QUEUE, hostQueue } from './queues';

/** gRPC status codes that mean Temporal was not reached, or did not answer in time. */
const UNREACHABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** True when `err` (or a cause of it) says Temporal could not be reached or did not answer before the deadline. */
export function isTemporalUnreachable(err: unknown): boolean {
  for (
    let e = err as { cause?: unknown; name?: string; code?: unknown } | undefined, depth = 0;
    e && depth < 10;
    e = e.cause as typeof e, depth++
  ) {
    if (e instanceof TemporalUnavailable) return true;
    if (isGrpcServiceError(e) && UNREACHABLE_CODES.has(e.code as number)) return true;
    if (e.name === 'TransportError') return true;
  }
  return false;
}

/** Temporal could not be reached or did not answer in time: 503 in the product's envelope, naming Temporal. */
export class TemporalUnavailable extends Unavailable {
  constructor(consequence = 'try again shortly') {
    super(`Temporal (the workflow engine) is unavailable or did not answer in time; ${consequence}`);
  }
}

export interface TemporalOptions {
  /** Deadline of each call (start, signal, query, describe, terminate), and of connecting. */
  rpcTimeoutMs?: number;
  /** Deadline of an update, which waits for the workflow to apply it. */
  updateTimeoutMs?: number;
}

/** Connects lazily so the API can start (and report unhealthy) while Temporal is down. */
export function createTemporal(address: string, namespace: string, options: TemporalOptions = {}) {
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 3000;
  const updateTimeoutMs = options.updateTimeoutMs ?? 15_000;
  let client: Promise<Client> | undefined;
  const get = () => {
    client ??= Connection.connect({ address, connectTimeout: rpcTimeoutMs }).then(
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
    rpcTimeoutMs,
    updateTimeoutMs,
    /** The client itself, without deadlines: for the worker's own set-up and tests. Requests use call(). */
    client: get,
    /**
     * Runs `fn` with a deadline on every Temporal call in it (rpcTimeoutMs unless `timeoutMs` says
     * otherwise). Temporal unreachable, or not answering before the deadline, becomes a
     * TemporalUnavailable (503) whose message ends with `consequence`; any other error passes through.
     */
    async call<T>(
      fn: (client: Client) => Promise<T>,
      opts: { timeoutMs?: number; consequence?: string } = {},
    ): Promise<T> {
      let c: Client;
      try {
        c = await get();
      } catch {
        throw new TemporalUnavailable(opts.consequence);
      }
      try {
        return await c.withDeadline(Date.now() + (opts.timeoutMs ?? rpcTimeoutMs), () => fn(c));
      } catch (err) {
        if (isTemporalUnreachable(err)) throw new TemporalUnavailable(opts.consequence);
        throw err;
      }
    },
    async close() {
      if (client) await client.then((c) => c.connection.close()).catch(() => undefined);
    },
  };
}
export type Temporal = ReturnType<typeof createTemporal>;

/** The API's and worker's Temporal, with the configured deadlines. */
export const temporalFromConfig = (config: {
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  TEMPORAL_RPC_TIMEOUT_MS: number;
  TEMPORAL_UPDATE_TIMEOUT_MS: number;
}) =>
  createTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, {
    rpcTimeoutMs: config.TEMPORAL_RPC_TIMEOUT_MS,
    updateTimeoutMs: config.TEMPORAL_UPDATE_TIMEOUT_MS,
  });

export { WorkflowExecutionAlreadyStartedError };
