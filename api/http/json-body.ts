import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { AppError, Invalid } from '../../core/errors';

const LIMIT_BYTES = 1024 * 1024;
/** A body too large is still read and thrown away, to keep the connection, up to this size. */
const DRAIN_BYTES = 9 * LIMIT_BYTES;

/**
 * Reads a JSON request body into ctx.request.body. Anything else is refused with a clear
 * message: a body that is not JSON, not an object, or larger than 1 MiB.
 */
export async function jsonBody(ctx: Context, next: Next): Promise<void> {
  if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
  const body = await readUpTo(ctx.req, LIMIT_BYTES);
  if (!body) {
    // The rest of the body is still arriving. A keep-alive client sends its next request after
    // it, so it is read and dropped; a body past DRAIN_BYTES is not worth that: the connection closes.
    if ((ctx.request.length ?? 0) > DRAIN_BYTES) ctx.set('Connection', 'close');
    else discardUpTo(ctx.req, DRAIN_BYTES);
    throw new AppError('payload_too_large', 413, 'request body exceeds 1 MiB');
  }
  const raw = body.toString('utf8');
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

/**
 * The body, or undefined once it passes `limit` bytes. Reads by events, not `for await`: leaving
 * an async iterator early destroys the request, and with it the client's connection (ECONNRESET).
 */
function readUpTo(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (finish: () => void) => {
      req.off('data', onData).off('end', onEnd).off('error', reject).off('close', onClose);
      req.pause();
      finish();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done(() => resolve(undefined));
      else chunks.push(chunk);
    };
    const onEnd = () => done(() => resolve(Buffer.concat(chunks)));
    const onClose = () => done(() => reject(new Error('request closed before its body ended')));
    req.on('data', onData).on('end', onEnd).on('error', reject).on('close', onClose);
  });
}

/** Reads and drops the rest of a body, up to `limit` bytes; past that the connection is closed. */
function discardUpTo(req: IncomingMessage, limit: number): void {
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) req.socket.destroy();
  });
  req.resume();
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
