import { temporal as proto } from '@temporalio/proto';
import os from 'node:os';
import type { Config } from '../../../core/config';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import * as procfs from '../../../adapters/procfs';
import * as systemd from '../../../adapters/systemd';

/** The services a single-server panel depends on, with how each is recognised. */
const WATCHED = [
  { name: 'nginx', units: ['nginx.service'], process: /^nginx: master process/ },
  { name: 'mariadb', units: ['mariadb.service', 'mysql.service'], process: /(^|\/)(mariadbd|mysqld)(\s|$)/ },
  {
    name: 'php-fpm',
    units: ['php8.3-fpm.service', 'php8.2-fpm.service', 'php8.1-fpm.service', 'php-fpm.service'],
    process: /^php-fpm: master process/,
  },
];

/** A poller seen this recently means the worker is alive. */
const POLLER_FRESH_MS = 90_000;

/** Host and service health as read from the panel's own machine. */
export function createMonitorService(deps: { config: Config; temporal: Temporal }) {
  const { config, temporal } = deps;

  async function viaSystemd(w: (typeof WATCHED)[number]) {
    for (const unit of w.units) {
      const { LoadState } = await systemd.unitProperties(unit, ['LoadState']);
      if (LoadState === 'loaded')
        return { name: w.name, unit, status: await systemd.unitState(unit), method: 'systemctl' };
    }
    return {
      name: w.name,
      unit: w.units[0],
      status: 'inactive',
      method: 'systemctl',
      detail: 'no such unit',
    };
  }

  function viaProcessTable(w: (typeof WATCHED)[number], table: procfs.ProcessEntry[]) {
    const found = table.filter((p) => w.process.test(p.cmdline));
    return {
      name: w.name,
      unit: w.units[0],
      status: found.length ? 'active' : 'inactive',
      method: 'process-table',
      detail: found.length ? `pid ${found.map((p) => p.pid).join(', ')}` : 'no matching process',
    };
  }

  /** The worker is alive when Temporal saw it poll this host's and the control queues lately. */
  async function worker() {
    const queues = [...new Set([CONTROL_QUEUE, hostQueue(config.HOST_ID)])];
    try {
      const seen = await Promise.all(
        queues.map(async (name) => {
          const { pollers } = await temporal.call((client) =>
            client.workflowService.describeTaskQueue({
              namespace: temporal.namespace,
              taskQueue: { name },
              taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            }),
          );
          const fresh = (pollers ?? []).filter(
            (p) => Date.now() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < POLLER_FRESH_MS,
          );
          return { name, identities: fresh.map((p) => p.identity ?? '') };
        }),
      );
      const missing = seen.filter((q) => q.identities.length === 0).map((q) => q.name);
      return {
        name: 'dermaga-worker',
        unit: 'dermaga-worker.service',
        status: missing.length === 0 ? 'active' : 'inactive',
        method: 'temporal-pollers',
        detail: missing.length
          ? `no worker polls ${missing.join(', ')}`
          : seen.map((q) => `${q.name}: ${q.identities.join(', ')}`).join('; '),
      };
    } catch (err) {
      return {
        name: 'dermaga-worker',
        unit: 'dermaga-worker.service',
        status: 'unknown',
        method: 'temporal-pollers',
        detail: `Temporal unreachable: ${(err as Error).message}`,
      };
    }
  }

  return {
    async host() {
      const [usage, mem, disks] = await Promise.all([
        procfs.cpuUsagePercent(),
        procfs.memInfo(),
        procfs.disks(),
      ]);
      const used = mem.MemTotal - mem.MemAvailable;
      const swapUsed = mem.SwapTotal - mem.SwapFree;
      const pct = (part: number, whole: number) => (whole ? Math.round((1000 * part) / whole) / 10 : 0);
      return {
        hostname: os.hostname(),
        cpu: {
          cores: os.cpus().length,
          model: os.cpus()[0]?.model ?? null,
          load: procfs.loadAverage(),
          usage_percent: usage,
        },
        memory: {
          total_bytes: mem.MemTotal,
          used_bytes: used,
          available_bytes: mem.MemAvailable,
          used_percent: pct(used, mem.MemTotal),
        },
        swap: {
          total_bytes: mem.SwapTotal,
          used_bytes: swapUsed,
          free_bytes: mem.SwapFree,
          used_percent: pct(swapUsed, mem.SwapTotal),
        },
        disks,
        uptime_seconds: procfs.uptimeSeconds(),
        collected_at: new Date().toISOString(),
      };
    },

    /** systemctl is-active where systemd is init; the process table where it is not (and it says so). */
    async services() {
      const useSystemd = systemd.systemdRuns();
      const table = useSystemd ? [] : await procfs.processes();
      const system = await Promise.all(
        WATCHED.map((w) => (useSystemd ? viaSystemd(w) : viaProcessTable(w, table))),
      );
      return {
        method: useSystemd ? 'systemctl' : 'process-table',
        services: [...system, await worker()],
        checked_at: new Date().toISOString(),
      };
    },
  };
}
export type MonitorService = ReturnType<typeof createMonitorService>;
