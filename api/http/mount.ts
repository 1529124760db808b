import compose from 'koa-compose';
import type { Context, Middleware, Next } from 'koa';
import type Router from '@koa/router';
import type { Config, ProductName } from '../../core/config';

/**
 * Runs a product's middleware with the mount prefix stripped from ctx.path, so nothing inside a
 * product depends on where it is mounted. With prefix '' (mounted at /) the product takes only
 * paths its router knows, leaving the rest to the platform.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- router middleware carry their own context types
export function mount(prefix: string, router: Router, middleware: Middleware<any, any>[]): Middleware {
  const stack = compose(middleware);
  return async (ctx: Context, next: Next) => {
    const inner = stripPrefix(ctx.path, prefix);
    if (inner === null || (prefix === '' && router.match(inner, ctx.method).path.length === 0)) return next();
    const outer = ctx.path;
    ctx.path = inner;
    try {
      await stack(ctx, async () => undefined);
    } finally {
      ctx.path = outer;
    }
  };
}

function stripPrefix(path: string, prefix: string): string | null {
  if (prefix === '') return path;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : null;
}

/** The public URL a product is served at (PUBLIC_URL + its MOUNTS prefix), for links it prints. */
export function productUrl(config: Config, product: ProductName): string {
  const prefix = config.MOUNTS.find((m) => m.product === product)?.prefix ?? `/${product}`;
  return `${config.publicUrl.replace(/\/$/, '')}${prefix}`;
}
