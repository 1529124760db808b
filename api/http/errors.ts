import type { Context, Next } from 'koa';
import { databaseUnavailable } from '../../core/db';
import { AppError, TooManyRequests } from '../../core/errors';
import type { Logger } from '../../core/logger';

/** How a product writes an error in its own envelope. */
export type ErrorEnvelope = (err: AppError) => unknown;

/**
 * Renders typed errors in the product's envelope; the database being away answers 503 naming it,
 * in every product alike. Anything unknown becomes a generic 500 so
 * stack traces, SQL and paths never reach a client; the detail goes to the log. The platform passes
 * its own content type (problem details, ./platform-error.ts); products answer application/json.
 */
export function errorHandler(envelope: ErrorEnvelope, logger: Logger, contentType = 'application/json') {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined)
        throw new AppError('not_found', 404, `no route for ${ctx.method} ${ctx.path}`);
      // koa-router answers a method it does not implement at all (TRACE, PROPFIND) 501: to a client
      // it is as not allowed as one the path lacks, and both get the envelope.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        throw new AppError('method_not_allowed', 405, `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (caught) {
      const err = toAppError(caught);
      if (err.status >= 500)
        logger.error({ err: caught, method: ctx.method, path: ctx.path }, 'request failed');
      if (err instanceof TooManyRequests) ctx.set('Retry-After', String(err.retryAfterSeconds));
      ctx.status = err.status;
      ctx.body = envelope(err);
      ctx.type = contentType;
    }
  };
}

function toAppError(caught: unknown): AppError {
  if (caught instanceof AppError) return caught;
  const status = (caught as { status?: number })?.status;
  // koa-router signals a wrong method with an http-error; keep its status with a plain message.
  if (status === 405 || status === 501) return new AppError('method_not_allowed', 405, 'method not allowed');
  // Postgres down, unreachable or hung is the service's state, not a fault of the request (503).
  const unavailable = databaseUnavailable(caught);
  if (unavailable) return unavailable;
  return new AppError('internal', 500, 'internal error');
}
