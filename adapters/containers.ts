import type Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { Conflict, Invalid, Unavailable } from '../core/errors';

/** What a lab or service container is made of; everything the engine needs, nothing it can misread. */
export interface ContainerSpec {
  name: string;
  image: string;
  cmd?: string[];
  env?: Record<string, string>;
  labels: Record<string, string>;
  /** CPU cores (fractions allowed) and memory in MiB: hard limits. */
  cpus: number;
  memoryMb: number;
  /** GPUs or MIG instances by UUID (`GPU-…` / `MIG-…`); none for a CPU-only container. */
  gpus?: string[];
  /** A named volume mounted at `mountPath`: the workspace that outlives the container. */
  volume?: { name: string; mountPath: string };
  /** Container port (e.g. 22, 8888) → host port, published on `bindAddress`; host port 0: one the engine picks. */
  ports?: Record<number, number>;
  bindAddress?: string;
  /** A user-defined network to attach it to (its name); the engine's default bridge when absent. */
  network?: string;
}

/** Docker's names: letters, digits, then letters, digits, `_`, `.`, `-` (what `docker run --name` accepts). */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/**
 * The GPU part of a container: one `nvidia` device request naming each GPU or MIG instance by
 * UUID (`docker run --gpus '"device=GPU-…,MIG-…"'`). UUIDs, not indexes, because indexes change
 * when MIG is reconfigured or a GPU drops off the bus.
 */
export function gpuDeviceRequests(uuids: string[] = []): Docker.DeviceRequest[] {
  if (uuids.length === 0) return [];
  for (const u of uuids)
    if (!/^(GPU|MIG)-[A-Za-z0-9-/]+$/.test(u))
      throw new Invalid(`gpu: ${JSON.stringify(u)} is not a GPU or MIG UUID`, 'gpu');
  return [{ Driver: 'nvidia', DeviceIDs: uuids, Capabilities: [['gpu']] }];
}

/** The engine's create body for a spec: limits, devices, workspace, ports, labels. */
export function createOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  if (!CONTAINER_NAME.test(spec.name))
    throw new Invalid(
      `name: ${JSON.stringify(spec.name)} is not a valid container name (letters, digits, _ . -)`,
      'name',
    );
  const ports = Object.entries(spec.ports ?? {});
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    ExposedPorts: Object.fromEntries(ports.map(([c]) => [`${c}/tcp`, {}])),
    HostConfig: {
      NanoCpus: Math.round(spec.cpus * 1e9),
      Memory: spec.memoryMb * 1024 * 1024,
      MemorySwap: spec.memoryMb * 1024 * 1024, // no swap beyond the limit
      PidsLimit: 4096,
      DeviceRequests: gpuDeviceRequests(spec.gpus),
      Mounts: spec.volume
        ? [{ Type: 'volume', Source: spec.volume.name, Target: spec.volume.mountPath }]
        : [],
      PortBindings: Object.fromEntries(
        ports.map(([c, h]) => [
          `${c}/tcp`,
          [{ HostIp: spec.bindAddress ?? '0.0.0.0', HostPort: h ? String(h) : '' }],
        ]),
      ),
      ...(spec.network && { NetworkMode: spec.network }),
      RestartPolicy: { Name: 'unless-stopped' },
    },
  };
}

export interface ContainerStats {
  cpu_percent: number;
  memory: { used_bytes: number; limit_bytes: number; percent: number };
  network: { rx_bytes: number; tx_bytes: number };
  block_io: { read_bytes: number; write_bytes: number };
  pids: number;
}

/** CPU % as `docker stats` computes it: the container's share of the host's CPU time since the previous sample, times the CPUs. */
export function statsFromSample(s: Docker.ContainerStats): ContainerStats {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  // cgroup v1 counts page cache in usage; docker subtracts it (total_inactive_file / inactive_file).
  const stats = (s.memory_stats.stats ?? {}) as unknown as Record<string, number>;
  const cache = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const used = Math.max(0, (s.memory_stats.usage ?? 0) - cache);
  const limit = s.memory_stats.limit ?? 0;
  const nets = Object.values(s.networks ?? {});
  const blk = s.blkio_stats?.io_service_bytes_recursive ?? [];
  const blkSum = (op: string) =>
    blk.filter((e) => e.op.toLowerCase() === op).reduce((n, e) => n + e.value, 0);
  return {
    cpu_percent:
      systemDelta > 0 && cpuDelta > 0 ? Math.round((cpuDelta / systemDelta) * cpus * 10000) / 100 : 0,
    memory: {
      used_bytes: used,
      limit_bytes: limit,
      percent: limit ? Math.round((used / limit) * 10000) / 100 : 0,
    },
    network: {
      rx_bytes: nets.reduce((n, x) => n + x.rx_bytes, 0),
      tx_bytes: nets.reduce((n, x) => n + x.tx_bytes, 0),
    },
    block_io: { read_bytes: blkSum('read'), write_bytes: blkSum('write') },
    pids: s.pids_stats?.current ?? 0,
  };
}

/** Engine errors the caller can act on, in the error vocabulary; anything else passes through. */
function translate(err: unknown, what: string): unknown {
  const e = err as { statusCode?: number; code?: string; json?: { message?: string }; message?: string };
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'ETIMEDOUT')
    return new Unavailable(
      `the Docker engine is unavailable (${e.code}); nothing was changed, try again shortly`,
    );
  if (e.statusCode === 409) return new Conflict(`${what}: ${e.json?.message ?? e.message}`);
  return err;
}

/**
 * Containers on one Docker engine: each call is idempotent where a workflow may retry it
 * (create finds a container it made earlier by name and label; remove and stop of what is gone
 * succeed).
 */
export function createContainers(docker: Docker) {
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw translate(err, what);
    }
  };
  const gone = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
  const notModified = (err: unknown) => (err as { statusCode?: number }).statusCode === 304;

  return {
    /**
     * Creates the container, or returns the one a previous attempt created (same name, same
     * `owner` label); a same-named container someone else made is a conflict.
     */
    async create(spec: ContainerSpec, owner: { label: string; value: string }): Promise<{ id: string }> {
      const options = createOptions(spec);
      return call(`container ${spec.name}`, async () => {
        try {
          const created = await docker.createContainer(options);
          return { id: created.id };
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 409) throw err;
          const existing = await docker.getContainer(spec.name).inspect();
          if (existing.Config.Labels?.[owner.label] !== owner.value) throw err;
          return { id: existing.Id };
        }
      });
    },

    start: (name: string) =>
      call(`container ${name}`, () =>
        docker
          .getContainer(name)
          .start()
          .catch((e) => (notModified(e) ? undefined : Promise.reject(e))),
      ),
    stop: (name: string, timeoutSec = 10) =>
      call(`container ${name}`, () =>
        docker
          .getContainer(name)
          .stop({ t: timeoutSec })
          .catch((e) => (notModified(e) || gone(e) ? undefined : Promise.reject(e))),
      ),
    restart: (name: string, timeoutSec = 10) =>
      call(`container ${name}`, () => docker.getContainer(name).restart({ t: timeoutSec })),

    /** Removes the container (running or not); a container already gone is fine. */
    remove: (name: string) =>
      call(`container ${name}`, () =>
        docker
          .getContainer(name)
          .remove({ force: true })
          .catch((e) => (gone(e) ? undefined : Promise.reject(e))),
      ),

    removeVolume: (name: string) =>
      call(`volume ${name}`, () =>
        docker
          .getVolume(name)
          .remove()
          .catch((e) => (gone(e) ? undefined : Promise.reject(e))),
      ),

    /** The engine's view: state, and the host ports it published; null when there is no such container. */
    async inspect(name: string): Promise<{
      id: string;
      state: string;
      running: boolean;
      startedAt: string;
      ports: Record<string, number>;
      labels: Record<string, string>;
      /** Its address on each network it is attached to. */
      ips: Record<string, string>;
      restartCount: number;
    } | null> {
      return call(`container ${name}`, async () => {
        const c = await docker
          .getContainer(name)
          .inspect()
          .catch((e) => (gone(e) ? null : Promise.reject(e)));
        if (!c) return null;
        const ports: Record<string, number> = {};
        for (const [p, bindings] of Object.entries(c.NetworkSettings.Ports ?? {}))
          if (bindings?.[0]) ports[p.replace('/tcp', '')] = Number(bindings[0].HostPort);
        return {
          id: c.Id,
          state: c.State.Status,
          running: c.State.Running,
          startedAt: c.State.StartedAt,
          ports,
          labels: c.Config.Labels ?? {},
          ips: Object.fromEntries(
            Object.entries(c.NetworkSettings.Networks ?? {}).map(([n, v]) => [n, v.IPAddress]),
          ),
          restartCount: c.RestartCount ?? 0,
        };
      });
    },

    /** Logs as text, stdout and stderr interleaved as the engine kept them. */
    async logs(
      name: string,
      opts: { tail?: number; since?: Date; timestamps?: boolean } = {},
    ): Promise<string> {
      return call(`container ${name}`, async () => {
        const buf = (await docker.getContainer(name).logs({
          stdout: true,
          stderr: true,
          follow: false,
          tail: opts.tail ?? 200,
          since: opts.since ? Math.floor(opts.since.getTime() / 1000) : 0,
          timestamps: opts.timestamps ?? false,
        })) as unknown as Buffer;
        return demux(buf);
      });
    },

    /** A user-defined bridge network, labelled; one that exists with the same name is returned as is. */
    createNetwork: (name: string, labels: Record<string, string>) =>
      call(`network ${name}`, async () => {
        const found = await docker.listNetworks({ filters: { name: [name] } });
        if (found.some((n) => n.Name === name)) return;
        await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
      }),

    /** Removes the network; one already gone is fine. */
    removeNetwork: (name: string) =>
      call(`network ${name}`, () =>
        docker
          .getNetwork(name)
          .remove()
          .catch((e) => (gone(e) ? undefined : Promise.reject(e))),
      ),

    /** A named volume, labelled; creating an existing one returns it. */
    createVolume: (name: string, labels: Record<string, string>) =>
      call(`volume ${name}`, async () => {
        await docker.createVolume({ Name: name, Labels: labels });
      }),

    /** Whether the engine has the image locally. */
    hasImage: (image: string) =>
      call(`image ${image}`, () =>
        docker
          .getImage(image)
          .inspect()
          .then(
            () => true,
            (e) => (gone(e) ? false : Promise.reject(e)),
          ),
      ),

    /** Pulls the image; the engine's refusal (no such image, no registry answering) is the error's message. */
    pull: (image: string) =>
      call(`image ${image}`, async () => {
        const stream = await docker.pull(image);
        await new Promise((resolve, reject) =>
          docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))),
        );
      }),

    /** One stats sample (the engine waits for a second sample to compute CPU). */
    async stats(name: string): Promise<ContainerStats> {
      return call(`container ${name}`, async () =>
        statsFromSample((await docker.getContainer(name).stats({ stream: false })) as Docker.ContainerStats),
      );
    },

    /**
     * The engine's current sample, without waiting for a second one (so without a CPU figure of
     * its own: give statsFromSample an earlier sample's cpu_stats as precpu_stats). The engine
     * answers at its next collection tick (within about a second).
     */
    oneShotStats: (name: string) =>
      call(
        `container ${name}`,
        () =>
          docker.getContainer(name).stats({ stream: false, 'one-shot': true } as {
            stream: false;
          }) as Promise<Docker.ContainerStats>,
      ),

    /** Runs argv inside the running container (no shell), feeding `stdin`; returns exit code and output. */
    async exec(
      name: string,
      argv: string[],
      stdin?: string,
    ): Promise<{ exitCode: number; stdout: string; stderr: string }> {
      return call(`container ${name}`, async () => {
        const exec = await docker
          .getContainer(name)
          .exec({ Cmd: argv, AttachStdin: stdin !== undefined, AttachStdout: true, AttachStderr: true });
        const stream = await exec.start({ hijack: true, stdin: stdin !== undefined });
        const stdout = new PassThrough();
        const stderr = new PassThrough();
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        stdout.on('data', (c: Buffer) => out.push(c));
        stderr.on('data', (c: Buffer) => err.push(c));
        docker.modem.demuxStream(stream, stdout, stderr);
        const ended = new Promise<void>((resolve, reject) => {
          stream.on('end', resolve);
          stream.on('close', resolve);
          stream.on('error', reject);
        });
        if (stdin !== undefined) stream.end(stdin);
        await ended;
        const { ExitCode } = await exec.inspect();
        return {
          exitCode: ExitCode ?? -1,
          stdout: Buffer.concat(out).toString(),
          stderr: Buffer.concat(err).toString(),
        };
      });
    },
  };
}
export type Containers = ReturnType<typeof createContainers>;

/** Docker's multiplexed log format: 8-byte frame headers (stream, size) before each chunk; a TTY container has none. */
function demux(buf: Buffer): string {
  if (buf.length < 8 || buf[1] !== 0 || buf[2] !== 0 || buf[3] !== 0 || buf[0] > 2) return buf.toString();
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString();
}
