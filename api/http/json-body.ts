import type { Context, Next } from 'koa';
import { AppError, Invalid } from '../../core/errors';

const LIMIT_BYTES = 1024 * 1024;

/**
 * Reads a JSON request body into ctx.request.body. Anything else is refused with a clear
 * message: a body that is not JSON, not an object, or larger than 1 MiB.
 */
export async function jsonBody(ctx: Context, next: Next): Promise<void> {
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT_BYTES) throw new AppError('payload_too_large', 413, 'request body exceeds 1 MiB');
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  ctx.state.rawBody = raw;
  if (raw.trim() === '') {
    ctx.request.body = undefined;
    return next();
  }
  if (!ctx.is('application/json', 'application/*+json') && ctx.get('content-type')) {
    throw new AppError('unsupported_media_type', 415, 'request body must be application/json');
  }
  try {
    ctx.request.body = JSON.parse(raw);
  } catch {
    throw new Invalid('request body is not valid JSON');
  }
  return next();
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
