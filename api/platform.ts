import Router from '@koa/router';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import type { Config } from '../core/config';
import { serveMetrics } from './http/metrics';
import type { PlatformDeps, Product } from './products/types';

interface Mounted {
  product: Product;
  prefix: string;
}

/** Times one dependency check, never letting it hang the health answer. */
async function probe(check: () => Promise<unknown>, timeoutMs = 2000) {
  const started = Date.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
    return { status: 'up' as const, latency_ms: Date.now() - started };
  } catch (err) {
    return { status: 'down' as const, latency_ms: Date.now() - started, error: (err as Error).message };
  }
}

const DOCS_ASSETS = [
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-32x32.png',
];

function docsPage(mounted: Mounted[]) {
  const urls = mounted.map(({ product }) => ({
    name: `${product.name} — ${product.title}`,
    url: `/openapi/${product.name}.json`,
  }));
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Dermaga API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"><link rel="icon" href="/docs/assets/favicon-32x32.png"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script><script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ dom_id: '#ui', urls: ${JSON.stringify(urls)}, deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;
}

/** Platform routes: the product index, health of every dependency, metrics, and the API docs. */
export function platformRouter(deps: PlatformDeps, mounted: Mounted[], config: Config): Router {
  const router = new Router();
  const base = config.publicUrl.replace(/\/$/, '');

  router.get('/', (ctx) => {
    ctx.body = {
      name: 'dermaga',
      products: mounted.map(({ product, prefix }) => ({
        name: product.name,
        title: product.title,
        base_url: `${base}${prefix}`,
        openapi_url: `${base}/openapi/${product.name}.json`,
      })),
      docs_url: `${base}/docs`,
      temporal_ui_url: config.TEMPORAL_UI_URL,
    };
  });

  router.get('/healthz', async (ctx) => {
    const [database, temporal, docker] = await Promise.all([
      probe(() => deps.db.raw('select 1')),
      probe(() => deps.temporal.call((c) => c.workflowService.getSystemInfo({}))),
      probe(() => deps.docker.ping()),
    ]);
    const core = database.status === 'up' && temporal.status === 'up';
    ctx.status = core ? 200 : 503;
    ctx.body = {
      status: core && docker.status === 'up' ? 'ok' : core ? 'degraded' : 'down',
      checks: { database, temporal, docker },
    };
  });

  router.get('/metrics', (ctx) => serveMetrics(ctx, config, 'api'));

  router.get('/openapi/:product.json', (ctx) => {
    const found = mounted.find((m) => m.product.name === ctx.params.product);
    if (!found) return;
    ctx.body = found.product.openapi(`${base}${found.prefix}`);
  });

  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = docsPage(mounted);
  });
  router.get('/docs/assets/:file', async (ctx) => {
    if (!DOCS_ASSETS.includes(ctx.params.file)) return;
    ctx.type = path.extname(ctx.params.file);
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = await readFile(path.join(getAbsoluteFSPath(), ctx.params.file));
  });

  return router;
}
