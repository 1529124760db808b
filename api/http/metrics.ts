import type { Context, Next } from 'koa';
import { httpDuration, httpRequests } from '../../core/metrics';

/** Counts and times each request under its route template, never the raw path (bounded labels). */
export function requestMetrics(product: string) {
  return async (ctx: Context, next: Next) => {
    const end = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      const labels = { product, method: ctx.method, route: String(route) };
      httpDuration.observe(labels, Number(process.hrtime.bigint() - end) / 1e9);
      httpRequests.inc({ ...labels, status: String(ctx.status) });
    }
  };
}
