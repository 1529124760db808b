import type Docker from 'dockerode';
import { statsFromSample, type ContainerStats } from './containers';

interface Watch {
  latest?: ContainerStats;
  ready: Promise<void>;
  lastRead: number;
  stop: () => void;
}

/**
 * Containers' stats as `docker stats` keeps them: one stream per container from the engine (a
 * sample a second, each with its CPU over that second), held while someone reads it and closed
 * `idleMs` after the last read. A read answers from the latest sample at once; only the first read
 * of a container waits for the engine's first computed sample (about a second). A one-off stats call
 * costs that second every time.
 */
export function createStatsWatch(docker: Docker, opts: { idleMs?: number; firstSampleMs?: number } = {}) {
  const idleMs = opts.idleMs ?? 60_000;
  const firstSampleMs = opts.firstSampleMs ?? 5_000;
  const watches = new Map<string, Watch>();

  function open(name: string): Watch {
    let stream: NodeJS.ReadableStream | undefined;
    let closed = false;
    let settle: (err?: Error) => void = () => undefined;
    const watch: Watch = {
      lastRead: Date.now(),
      ready: new Promise<void>((resolve, reject) => {
        settle = (err) => (err ? reject(err) : resolve());
      }),
      stop: () => {
        closed = true;
        watches.delete(name);
        (stream as unknown as { destroy?: () => void })?.destroy?.();
      },
    };
    const idle = setInterval(
      () => {
        if (Date.now() - watch.lastRead > idleMs) {
          clearInterval(idle);
          watch.stop();
        }
      },
      Math.min(idleMs, 10_000),
    );
    idle.unref();
    const end = (err?: Error) => {
      clearInterval(idle);
      if (!closed) watch.stop();
      settle(err ?? new Error(`the engine ended the stats of ${name}`));
    };
    docker
      .getContainer(name)
      .stats({ stream: true })
      .then((s) => {
        stream = s as NodeJS.ReadableStream;
        if (closed) return end();
        let buffered = '';
        stream.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (!line) continue;
            const sample = JSON.parse(line) as Docker.ContainerStats;
            // The first sample has no previous one to compute CPU from.
            if (!sample.precpu_stats?.system_cpu_usage) continue;
            watch.latest = statsFromSample(sample);
            settle();
          }
        });
        stream.on('end', () => end());
        stream.on('error', (err: Error) => end(err));
      }, end);
    return watch;
  }

  return {
    /** The container's latest stats (waiting for the first sample of a container not yet watched). */
    async read(name: string): Promise<ContainerStats> {
      let watch = watches.get(name);
      if (!watch) {
        watch = open(name);
        watches.set(name, watch);
      }
      watch.lastRead = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          watch.ready,
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no stats sample of ${name} within ${firstSampleMs} ms`)),
              firstSampleMs,
            );
          }),
        ]);
      } catch (err) {
        watch.stop();
        throw err;
      } finally {
        clearTimeout(timer);
      }
      return watch.latest as ContainerStats;
    },
    /** Closes every stream (a worker shutting down). */
    close: () => [...watches.values()].forEach((w) => w.stop()),
  };
}
export type StatsWatch = ReturnType<typeof createStatsWatch>;
