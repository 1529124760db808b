import Koa from 'koa';
import Router from '@koa/router';
import { limitPasswordHashing } from '../core/crypto';
import { errorHandler } from './http/errors';
import { protectiveHeaders } from './http/headers';
import { jsonBody } from './http/json-body';
import { requestMetrics, serveMetrics } from './http/metrics';
import { mount } from './http/mount';
import { PLATFORM_ERROR_TYPE, platformError } from './http/platform-error';
import { platformRouter } from './platform';
import { productFactories } from './products';
import type { PlatformDeps, Product } from './products/types';

/**
 * The one Koa app: every configured product at its mount, each with its own error envelope,
 * then the platform routes. Products mounted at / win over platform paths they also serve.
 */
export function createApp(deps: PlatformDeps) {
  const app = new Koa({ proxy: deps.config.TRUST_PROXY });
  const { PASSWORD_HASH_CONCURRENCY: concurrency, PASSWORD_HASH_QUEUE: queue } = deps.config;
  limitPasswordHashing({ concurrency, queue });
  app.use(protectiveHeaders);
  const mounted: { product: Product; prefix: string }[] = [];
  for (const { product: name, prefix } of deps.config.MOUNTS) {
    const factory = productFactories[name];
    if (!factory) {
      deps.logger.info({ product: name }, 'product not built yet; not mounted');
      continue;
    }
    mounted.push({ product: factory(deps), prefix });
  }

  // Root-mounted products go last among products so prefixed ones are tried first.
  const ordered = [...mounted].sort((a, b) => Number(a.prefix === '') - Number(b.prefix === ''));
  for (const { product, prefix } of ordered) {
    const r = product.router;
    app.use(
      mount(prefix, r, [
        requestMetrics(product.name),
        errorHandler(product.errorEnvelope, deps.logger),
        jsonBody,
        r.routes(),
        r.allowedMethods(),
      ]),
    );
  }
  const platform = platformRouter(deps, mounted, deps.config);
  app.use(requestMetrics('platform'));
  app.use(errorHandler(platformError, deps.logger, PLATFORM_ERROR_TYPE));
  app.use(platform.routes());
  app.use(platform.allowedMethods());

  return {
    app,
    /** The METRICS_PORT listener's app, when one is configured. */
    metricsApp: deps.config.METRICS_PORT === undefined ? undefined : metricsApp(deps),
    mounted,
    start: () => Promise.all(mounted.map((m) => m.product.start?.())),
    stop: () => Promise.all(mounted.map((m) => m.product.stop?.())),
  };
}

/** Serves only GET /metrics, for a listener of its own (METRICS_PORT), in the platform's envelope. */
function metricsApp(deps: PlatformDeps) {
  const app = new Koa({ proxy: deps.config.TRUST_PROXY });
  const router = new Router();
  router.get('/metrics', (ctx) => serveMetrics(ctx, deps.config, 'metrics'));
  app.use(protectiveHeaders);
  app.use(errorHandler(platformError, deps.logger, PLATFORM_ERROR_TYPE));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
