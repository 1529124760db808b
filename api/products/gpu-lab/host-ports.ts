import type { Config } from '../../../core/config';
import type { Logger } from '../../../core/logger';
import type { HostReader } from './host-read';

/**
 * Before a create reserves, asks each candidate host (its worker, through its queue) which ports
 * of GPULAB_PORT_RANGE something on it already holds: a listener of another process, an outgoing
 * connection, a container published outside Dermaga. Only the host can see its sockets, so the
 * API asks rather than looks, as it would for a host on another machine. Each host has
 * GPULAB_PORT_CHECK_TIMEOUT_SECONDS to answer; one that does not is reserved from without the
 * list (a port it turns out to hold fails that create, and is quarantined: see reserve()).
 */
export function createPortChecker(deps: { config: Config; readFromHost: HostReader; logger?: Logger }) {
  const { config, readFromHost, logger } = deps;
  const { from, to } = config.GPULAB_PORT_RANGE;
  const timeoutMs = config.GPULAB_PORT_CHECK_TIMEOUT_SECONDS * 1000;
  return async function portsInUse(hosts: string[]): Promise<Record<string, number[]>> {
    const answers = await Promise.all(
      hosts.map(async (hostId) => {
        const ports = await readFromHost<number[]>(
          hostId,
          { kind: 'portsInUse', from, to },
          { timeoutMs },
        ).catch((err: Error) => {
          logger?.warn(
            { hostId, err: err.message },
            'gpu-lab: the host did not say which ports it uses; reserving without its list',
          );
          return [];
        });
        return [hostId, ports] as const;
      }),
    );
    return Object.fromEntries(answers);
  };
}
