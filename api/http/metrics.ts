import type { Context, Next } from 'koa';
import type { Config } from '../../core/config';
import { safeEqual } from '../../core/crypto';
import { AppError, Unauthorized } from '../../core/errors';
import { httpDuration, httpRequests, registry } from '../../core/metrics';

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

/**
 * Answers GET /metrics for a caller allowed to read it. Metrics count answers by route and status
 * (failed logins among them), so they are never public: on the API's own listener they need the
 * METRICS_TOKEN bearer and are not served at all without one; the METRICS_PORT listener, reachable
 * only where it is bound, asks for the token only when one is set.
 */
export async function serveMetrics(ctx: Context, config: Config, listener: 'api' | 'metrics'): Promise<void> {
  const token = config.METRICS_TOKEN;
  if (!token && listener === 'api')
    throw new AppError('not_found', 404, 'metrics are not served here (see METRICS_TOKEN, METRICS_PORT)');
  if (token && !safeEqual(ctx.get('authorization'), `Bearer ${token}`)) {
    ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
    throw new Unauthorized('metrics need Authorization: Bearer <METRICS_TOKEN>');
  }
  ctx.type = registry.contentType;
  ctx.body = await registry.metrics();
}
