import { ApplicationFailure } from '@temporalio/activity';
import type Docker from 'dockerode';
import net from 'node:net';
import type { Containers } from '../../adapters/containers';
import { createStatsWatch } from '../../adapters/stats-watch';
import type { SecretBox } from '../../core/secret-box';
import type { PaasDeployInput, PaasHealthCheck } from '../../types/paas-deployments';

const fail = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const engineMessage = (err: Error) => err.message.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();

/** True when something accepts a TCP connection on host:port within `timeoutMs`. */
function accepts(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * A paas service's deployment on this host's Docker engine: image, network, volume, container and
 * its health. Every step is idempotent (a retry finds what an earlier attempt made, by name and the
 * `dermaga.deployment` label) and every undo is a no-op when there is nothing to undo.
 */
export function createServiceHostActivities(deps: {
  docker: Docker;
  containers: Containers;
  secrets: SecretBox;
  hostId: string;
  bindAddress: string;
  stopTimeoutSec: number;
}) {
  const { docker, containers, secrets, hostId } = deps;
  const stats = createStatsWatch(docker);
  const labels = (serviceId: string) => ({ 'dermaga.product': 'paas', 'dermaga.service': serviceId });

  /** Fails (not retried) when the container stopped or keeps restarting: its last log lines say why. */
  async function assertRunning(name: string) {
    const state = await containers.inspect(name);
    if (!state) throw fail('container_gone', `container ${name} disappeared`);
    if (state.running && state.restartCount === 0 && state.state !== 'restarting') return state;
    const logs = await containers.logs(name, { tail: 20 }).catch(() => '');
    const last = logs.trim().split('\n').slice(-3).join(' | ');
    throw fail('container_exited', `container ${name} exited after it started: ${last || state.state}`);
  }

  async function healthy(name: string, network: string, ports: number[], check: PaasHealthCheck | null) {
    const state = await assertRunning(name);
    if (check?.type === 'command') {
      const r = await containers.exec(name, check.command).catch(() => ({ exitCode: -1 }));
      return r.exitCode === 0;
    }
    const port = check?.port ?? ports[0];
    if (!port) return true; // nothing to knock on: running is all that can be known
    const ip = state.ips[network];
    return ip ? accepts(ip, port) : false;
  }

  return {
    /** What this host's engine offers: its cores and memory (MB), as `docker info` says. */
    async paasEngineCapacity(): Promise<{ cpus: number; memoryMb: number }> {
      const info = await docker.info().catch((err: Error) => {
        throw new Error(`the Docker engine on host ${hostId} did not answer info: ${err.message}`);
      });
      return { cpus: Number(info.NCPU), memoryMb: Math.floor(Number(info.MemTotal) / 2 ** 20) };
    },

    /** The image is here, or is pulled within the deadline; an image no registry gives fails the deployment with the engine's reason. */
    async ensurePaasImage({ image, pullTimeoutMs }: { image: string; pullTimeoutMs: number }): Promise<void> {
      if (await containers.hasImage(image)) return;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${Math.round(pullTimeoutMs / 1000)} s`)),
          pullTimeoutMs,
        );
      });
      try {
        await Promise.race([containers.pull(image), late]);
      } catch (err) {
        throw fail(
          'image_unavailable',
          `image ${image} is not on host ${hostId} and could not be pulled: ${engineMessage(err as Error)}`,
        );
      } finally {
        clearTimeout(timer);
      }
    },

    async createPaasNetwork({ network, serviceId }: { network: string; serviceId: string }): Promise<void> {
      await containers.createNetwork(network, labels(serviceId));
    },

    async removePaasNetwork({ network }: { network: string }): Promise<void> {
      await containers.removeNetwork(network);
    },

    async createPaasVolume({ volume, serviceId }: { volume: string; serviceId: string }): Promise<void> {
      await containers.createVolume(volume, labels(serviceId));
    },

    async removePaasVolume({ volume }: { volume: string }): Promise<void> {
      await containers.removeVolume(volume);
    },

    /** The container with the service's CPU and memory limits, its volume, network and published ports. */
    async createPaasContainer(d: PaasDeployInput): Promise<{ containerId: string }> {
      const env = JSON.parse(secrets.open(d.sealedEnv)) as Record<string, string>;
      const { id } = await containers
        .create(
          {
            name: d.name,
            image: d.image,
            env,
            labels: { ...labels(d.serviceId), 'dermaga.deployment': d.deploymentId, 'dermaga.host': hostId },
            cpus: d.cpuMhz / d.mhzPerCore,
            memoryMb: d.memoryMb,
            volume: { name: d.volume, mountPath: d.volumePath },
            ports: Object.fromEntries(d.ports.map((p) => [p, 0])),
            bindAddress: deps.bindAddress,
            network: d.network,
          },
          { label: 'dermaga.deployment', value: d.deploymentId },
        )
        .catch((err: Error) => {
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 || status === 400 || status === 500)
            throw fail(
              'container_create_refused',
              `Docker refused to create ${d.name}: ${engineMessage(err)}`,
            );
          throw err;
        });
      return { containerId: id };
    },

    /** Starts it and waits until the engine says running; one that exits at once fails with its last log lines. */
    async startPaasContainer({ name }: { name: string }): Promise<void> {
      await containers.start(name).catch((err: Error) => {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 400 || status === 500)
          throw fail(
            'container_start_refused',
            `Docker refused to start ${name} on host ${hostId}: ${engineMessage(err)}`,
          );
        throw err;
      });
      for (let waited = 0; waited < 20_000; waited += 100) {
        const state = await containers.inspect(name);
        if (state?.running) return;
        if (!state || state.state === 'exited' || state.state === 'dead' || state.state === 'restarting')
          await assertRunning(name);
        await sleep(100);
      }
      throw new Error(`container ${name} is not running 20 s after start`);
    },

    /**
     * Waits until the container is healthy: its health check's port (else its first port) accepts
     * connections on its network address, or the check's command exits 0. Not healthy by the
     * deadline, or exited meanwhile: failed, not retried (the deadline is the deployment's). The
     * host ports the engine published come back.
     */
    async waitPaasHealthy(d: {
      name: string;
      network: string;
      ports: number[];
      healthCheck: PaasHealthCheck | null;
      healthTimeoutMs: number;
    }): Promise<{ ports: Record<string, number> }> {
      const deadline = Date.now() + d.healthTimeoutMs;
      for (;;) {
        if (await healthy(d.name, d.network, d.ports, d.healthCheck)) {
          const state = await assertRunning(d.name);
          return { ports: state.ports };
        }
        if (Date.now() > deadline)
          throw fail(
            'unhealthy',
            `container ${d.name} was not healthy within ${Math.round(d.healthTimeoutMs / 1000)} s (${
              d.healthCheck?.type === 'command'
                ? `${d.healthCheck.command.join(' ')} did not exit 0`
                : `port ${d.healthCheck?.port ?? d.ports[0]} accepted no connection`
            })`,
          );
        await sleep(200);
      }
    },

    async removePaasContainer({ name }: { name: string }): Promise<void> {
      await containers.remove(name);
    },

    async stopPaasContainer({ name }: { name: string }): Promise<void> {
      await containers.stop(name, deps.stopTimeoutSec);
    },

    async restartPaasContainer({ name }: { name: string }): Promise<void> {
      await containers.restart(name, deps.stopTimeoutSec);
    },

    /** Every container of the service on this engine (any deployment, running or not) is removed. */
    async removePaasServiceContainers({ serviceId }: { serviceId: string }): Promise<number> {
      const found = await docker.listContainers({
        all: true,
        filters: { label: [`dermaga.service=${serviceId}`] },
      });
      for (const c of found) await containers.remove(c.Id);
      return found.length;
    },

    /**
     * The container's CPU (percent over the engine's last second, as `docker stats`), memory in
     * bytes, and state; from the engine's stats stream this worker keeps open while it is read.
     */
    async paasContainerMetrics({ name }: { name: string }) {
      const state = await containers.inspect(name);
      if (!state) throw fail('container_gone', `container ${name} is not on host ${hostId}`);
      const sample = state.running ? await stats.read(name) : null;
      return {
        cpu_usage: sample?.cpu_percent ?? 0,
        memory_usage: sample?.memory.used_bytes ?? 0,
        allocation_id: state.id,
        allocation_status: state.state,
        node_id: hostId,
      };
    },

    /** The container's log lines, each prefixed with the engine's timestamp: the last `tail`, optionally since a time. */
    async paasContainerLogs({
      name,
      tail,
      since,
    }: {
      name: string;
      tail: number;
      since?: string;
    }): Promise<string[]> {
      const text = await containers.logs(name, {
        tail,
        since: since ? new Date(since) : undefined,
        timestamps: true,
      });
      return text.split('\n').filter((l) => l.trim() !== '');
    },
  };
}
export type ServiceHostActivities = ReturnType<typeof createServiceHostActivities>;
