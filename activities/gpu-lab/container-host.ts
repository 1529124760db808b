import { ApplicationFailure } from '@temporalio/activity';
import type Docker from 'dockerode';
import type { SecretBox } from '../../core/secret-box';
import type { Containers, ContainerStats } from '../../adapters/containers';
import { tcpPortsInUse } from '../../adapters/procfs';
import type { LabContainerInput } from '../../types/gpu-lab';

type Ref = Pick<LabContainerInput, 'containerId' | 'name'>;
const fail = (type: string, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

/**
 * A researcher's container on this host's Docker engine. Each step is idempotent (a retry finds
 * what an earlier attempt made, by name and the `dermaga.container` label) and each undo is a
 * no-op when there is nothing to undo.
 */
export function createContainerHostActivities(deps: {
  docker: Docker;
  containers: Containers;
  secrets: SecretBox;
  hostId: string;
  bindAddress: string;
  stopTimeoutSec: number;
}) {
  const { docker, containers, secrets } = deps;
  const owner = (c: Ref) => ({ label: 'dermaga.container', value: c.containerId });

  return {
    /** The workspace volume, labelled with its container; creating an existing one returns it. */
    async createWorkspace(c: LabContainerInput): Promise<void> {
      await docker.createVolume({
        Name: c.workspace,
        Labels: { 'dermaga.product': 'gpu-lab', [owner(c).label]: c.containerId },
      });
    },

    async removeWorkspace(c: Pick<LabContainerInput, 'workspace'>): Promise<void> {
      await containers.removeVolume(c.workspace);
    },

    /** The container with the package's limits, its GPUs, workspace, SSH and Jupyter ports, and its Jupyter token. */
    async createLabContainer(c: LabContainerInput): Promise<{ dockerId: string }> {
      const { id } = await containers
        .create(
          {
            name: c.name,
            image: c.image,
            cmd: c.cmd,
            env: { JUPYTER_TOKEN: secrets.open(c.sealedJupyterToken) },
            labels: {
              'dermaga.product': 'gpu-lab',
              [owner(c).label]: c.containerId,
              'dermaga.host': deps.hostId,
            },
            cpus: c.cpus,
            memoryMb: c.memoryMb,
            gpus: c.gpus,
            volume: { name: c.workspace, mountPath: '/workspace' },
            ports: { 22: c.sshPort, 8888: c.jupyterPort },
            bindAddress: deps.bindAddress,
          },
          owner(c),
        )
        .catch((err: Error) => {
          // No such image, a bad device request, a refused limit: retrying will not change the answer.
          const status = (err as { statusCode?: number }).statusCode;
          if (status === 404 || status === 400 || status === 500)
            throw fail('container_create_refused', `Docker refused to create ${c.name}: ${err.message}`);
          throw err;
        });
      return { dockerId: id };
    },

    async removeLabContainer(c: Ref): Promise<void> {
      await containers.remove(c.name);
    },

    async stopLabContainer(c: Ref): Promise<void> {
      await containers.stop(c.name, deps.stopTimeoutSec);
    },

    async restartLabContainer(c: Ref): Promise<void> {
      await containers.restart(c.name, deps.stopTimeoutSec);
    },

    /** Starts it and waits until Docker says running; a container that exits at once fails with its last log lines. */
    async startLabContainer(c: Ref): Promise<void> {
      await containers.start(c.name).catch((err: Error) => {
        // The engine refusing to start it (no NVIDIA runtime for its GPUs, a port taken outside our reservations) answers the same on a retry.
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 400 || status === 500)
          throw fail(
            'container_start_refused',
            `Docker refused to start ${c.name} on host ${deps.hostId}: ${err.message.replace(/^\(HTTP code \d+\)[^-]*- /, '')}`,
          );
        throw err;
      });
      for (let waited = 0; waited < 30_000; waited += 200) {
        const state = await containers.inspect(c.name);
        if (!state) throw fail('container_gone', `container ${c.name} disappeared while starting`);
        if (state.running) return;
        if (state.state === 'exited' || state.state === 'dead') {
          const logs = await containers.logs(c.name, { tail: 20 }).catch(() => '');
          throw fail(
            'container_exited',
            `container ${c.name} exited while starting: ${logs.trim().split('\n').slice(-3).join(' | ') || state.state}`,
          );
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`container ${c.name} is not running 30 s after start`);
    },

    /** Image tags present on this host's engine that contain `term` (case-insensitive). */
    async localImages({ term }: { term: string }): Promise<string[]> {
      const images = await docker.listImages().catch((err: Error) => {
        throw new Error(`the Docker engine did not list images: ${err.message}`);
      });
      const needle = term.toLowerCase();
      return images
        .flatMap((i) => i.RepoTags ?? [])
        .filter((t) => t !== '<none>:<none>' && t.toLowerCase().includes(needle))
        .sort();
    },

    /** What this host's engine offers containers: its CPUs and memory (MB), as `docker info` says. */
    async engineCapacity(): Promise<{ cpus: number; memoryMb: number }> {
      const info = await docker.info().catch((err: Error) => {
        throw new Error(`the Docker engine did not answer info: ${err.message}`);
      });
      return { cpus: Number(info.NCPU), memoryMb: Math.floor(Number(info.MemTotal) / 2 ** 20) };
    },

    /**
     * Ports in [from, to] a container could not be published on now: held by any socket on this
     * host (another process's listener, an outgoing connection), or published by a running
     * container of this engine (without Docker's userland proxy those have no socket). Read on the
     * host itself, since only it sees its sockets; the API skips them when it reserves.
     */
    async portsInUse({ from, to }: { from: number; to: number }): Promise<number[]> {
      const [sockets, running] = await Promise.all([
        tcpPortsInUse(from, to),
        docker.listContainers().catch((err: Error) => {
          throw new Error(`the Docker engine did not list containers: ${err.message}`);
        }),
      ]);
      const published = running
        .flatMap((c) => (c.Ports ?? []).map((p) => p.PublicPort))
        .filter((p) => p >= from && p <= to);
      return [...new Set([...sockets, ...published])].sort((a, b) => a - b);
    },

    /** One container's resource use now (CPU %, memory, network, block I/O, pids). */
    async containerStats(c: Ref): Promise<ContainerStats> {
      return containers.stats(c.name);
    },

    /** The container's log: the last `tail` lines, optionally only since a time. */
    async containerLogs(c: Ref & { tail: number; since?: string }): Promise<string> {
      return containers.logs(c.name, { tail: c.tail, since: c.since ? new Date(c.since) : undefined });
    },

    /**
     * Stats of many containers at once, all asked concurrently; whatever has not answered when the
     * budget runs out is reported as such instead of holding up the rest (the engine takes about a
     * second per container to sample CPU).
     */
    async batchStats({
      names,
      budgetMs,
    }: {
      names: string[];
      budgetMs: number;
    }): Promise<Record<string, ContainerStats | { error: string }>> {
      const deadline = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), budgetMs).unref());
      const entries = await Promise.all(
        names.map(async (name) => {
          const result = await Promise.race([
            containers.stats(name).catch((err: Error) => ({ error: err.message })),
            deadline,
          ]);
          return [
            name,
            result === 'timeout' ? { error: `no answer within ${budgetMs} ms` } : result,
          ] as const;
        }),
      );
      return Object.fromEntries(entries);
    },

    /** Sets the SSH user's password inside the running container: chpasswd reads it on stdin, never from argv. */
    async setSshPassword(c: Ref & { sshUser: string; sealedSshPassword: string }): Promise<void> {
      if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(c.sshUser))
        throw fail('invalid_request', `refusing user name ${JSON.stringify(c.sshUser)}`);
      const password = secrets.open(c.sealedSshPassword);
      if (/[\n:]/.test(password))
        throw fail('invalid_request', 'a password may not contain a newline or a colon');
      const r = await containers.exec(c.name, ['chpasswd'], `${c.sshUser}:${password}\n`);
      if (r.exitCode !== 0)
        throw new Error(`chpasswd in ${c.name} exited ${r.exitCode}: ${r.stderr.trim().slice(0, 200)}`);
    },
  };
}
export type ContainerHostActivities = ReturnType<typeof createContainerHostActivities>;
