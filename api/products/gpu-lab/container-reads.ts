import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import type { Logger } from '../../../core/logger';
import { Conflict } from '../../../core/errors';
import { createSecretBox } from '../../../core/secret-box';
import type { Temporal } from '../../../core/temporal';
import type { LabCaller } from './auth';
import type { HostReader } from './host-read';
import type { LabJobService } from './jobs';
import { containerRows, view, type Row } from './container-rows';

/** What reads a container: lists, detail, logs and stats from its host, image search, the Jupyter link. */
export function createContainerReads(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  readFromHost: HostReader;
  jobs: LabJobService;
  logger?: Logger;
}) {
  const { db, config, readFromHost, jobs } = deps;
  const secrets = createSecretBox(config.DERMAGA_SECRET_KEY);
  const hosts = config.GPULAB_HOSTS ?? [config.HOST_ID];
  const { visible, devicesOf } = containerRows(db);

  return {
    async mine(caller: LabCaller) {
      const rows = await db('gpu_lab.containers')
        .where({ owner_id: caller.user.id })
        .orderBy('created_at', 'desc');
      return { containers: rows.map((r) => view(r)) };
    },

    async all(q: { userId?: string; hostId?: string; status?: string; limit: number; offset: number }) {
      const base = db('gpu_lab.containers').modify((b) => {
        if (q.userId) b.where({ owner_id: q.userId });
        if (q.hostId) b.where({ host_id: q.hostId });
        if (q.status) b.where({ status: q.status });
      });
      const [rows, [{ n }]] = await Promise.all([
        base.clone().orderBy('created_at', 'desc').limit(q.limit).offset(q.offset),
        base.clone().count('* as n'),
      ]);
      return { containers: rows.map((r: Row) => view(r)), total: Number(n) };
    },

    async detail(caller: LabCaller, name: string) {
      const c = await visible(caller, name);
      const events = await db('gpu_lab.container_events')
        .where({ container_id: c.id })
        .orderBy('id', 'desc')
        .limit(20);
      return {
        container: view(c, await devicesOf(c.id)),
        lastJob: await jobs.lastOf(c.id),
        leaseEvents: events.map((e) => ({
          kind: e.kind,
          at: new Date(e.at).toISOString(),
          endsAt: e.detail?.ends_at ?? null,
        })),
      };
    },

    async logs(caller: LabCaller, name: string, q: { tail: number; since?: string }) {
      const c = await visible(caller, name);
      return {
        logs: (await readFromHost(c.host_id, {
          kind: 'logs',
          containerId: c.id,
          name: c.name,
          tail: q.tail,
          since: q.since,
        })) as string,
      };
    },

    async stats(caller: LabCaller, name: string) {
      const c = await visible(caller, name);
      return {
        stats: await readFromHost(c.host_id, {
          kind: 'stats',
          containerId: c.id,
          name: c.name,
          gpus: await devicesOf(c.id),
        }),
      };
    },

    /** Every running container's stats, host by host in parallel, each host within the budget. */
    async batchStats(budgetMs: number) {
      const rows = await db('gpu_lab.containers').where({ status: 'running' });
      const byHost = new Map<string, Row[]>();
      for (const r of rows) byHost.set(r.host_id, [...(byHost.get(r.host_id) ?? []), r]);
      const results = await Promise.all(
        [...byHost].map(([, list]) =>
          readFromHost(list[0].host_id, {
            kind: 'batchStats',
            names: list.map((r) => r.name),
            budgetMs,
          }).catch((err: Error) => Object.fromEntries(list.map((r) => [r.name, { error: err.message }]))),
        ),
      );
      return { stats: Object.assign({}, ...results) as Record<string, unknown> };
    },

    /**
     * Images matching a term: the admin-approved catalog (what createContainer accepts) and, per
     * host, the tags its engine already has (approved ones start at once; others need approval).
     */
    async searchImages(term: string) {
      const needle = term.toLowerCase();
      const onHosts = await Promise.all(
        hosts.map(async (hostId) => ({
          hostId,
          images: (await readFromHost(hostId, { kind: 'images', term }).catch(() => null)) as string[] | null,
        })),
      );
      return {
        approved: config.GPULAB_IMAGES.filter((i) => i.toLowerCase().includes(needle)),
        hosts: onHosts,
      };
    },

    async jupyterLink(caller: LabCaller, name: string) {
      const c = await visible(caller, name);
      if (c.status !== 'running') throw new Conflict(`container ${name} is ${c.status}; start it first`);
      const token = secrets.open(c.jupyter_token_sealed);
      return {
        url: `http://${config.GPULAB_PUBLIC_HOST}:${c.jupyter_port}/lab?token=${encodeURIComponent(token)}`,
      };
    },
  };
}
