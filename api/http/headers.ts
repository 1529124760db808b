import type { Context, Next } from 'koa';

/**
 * Headers every answer carries, set before anything runs so errors carry them too: no MIME
 * sniffing, no framing (clickjacking), and no caching, since answers carry tokens, keys and
 * account data. A route that may be cached (the docs' assets) sets its own Cache-Control.
 */
export async function protectiveHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set({
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "frame-ancestors 'none'",
    'Cache-Control': 'no-store',
  });
  await next();
}
