import Router from '@koa/router';
import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { parse } from './validate';

extendZodWithOpenApi(z);

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;
type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export interface Input<P, Q, B> {
  params: Infer<P>;
  query: Infer<Q>;
  body: Infer<B>;
}

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<A extends string, P, Q, B> {
  method: Method;
  /**
   * OpenAPI-style path relative to the product's mount, e.g. /v1/sites/{site_id}. A last parameter
   * written `{name*}` takes the rest of the path, slashes and all (an image name such as a/b:tag).
   */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Who may call it; the product's authenticate() decides what each level means. */
  auth: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Extra middleware that runs before validation, e.g. a rate limiter. */
  before?: Middleware[];
  status?: number;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler: (input: Input<P, Q, B>, ctx: Context) => Promise<Reply | unknown>;
}

/**
 * A product's routes: each spec becomes a Koa route and an OpenAPI path, so the document the
 * docs page shows is the one the router serves.
 */
export function createRoutes<A extends string>(opts: {
  authenticate: (ctx: Context, level: A) => Promise<void>;
  publicLevel: A;
  errorSchema: z.ZodType;
}) {
  const router = new Router();
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  const served: { method: string; path: string }[] = [];

  function route<
    P extends AnyObject | undefined,
    Q extends AnyObject | undefined,
    B extends AnyObject | undefined,
  >(spec: RouteSpec<A, P, Q, B>): void {
    const path = spec.path.replace(/\{(\w+)\*\}$/, '{$1}');
    served.push({ method: spec.method.toUpperCase(), path });
    const errorResponse = {
      description: 'Error',
      content: { 'application/json': { schema: opts.errorSchema } },
    };
    registry.registerPath({
      method: spec.method,
      path,
      summary: spec.summary,
      description: spec.description,
      tags: [spec.tag],
      security: spec.auth === opts.publicLevel ? [] : [{ bearerAuth: [] }],
      // Which caller the route admits (a product's level, e.g. `admin`): readers and tests see it.
      'x-auth': spec.auth,
      request: {
        params: spec.params as AnyObject | undefined,
        query: spec.query as AnyObject | undefined,
        body: spec.body ? { content: { 'application/json': { schema: spec.body as AnyObject } } } : undefined,
      },
      responses: {
        ...Object.fromEntries(
          Object.entries(spec.responses).map(([code, r]) => [
            code,
            {
              description: r.description,
              content: r.schema ? { 'application/json': { schema: r.schema } } : undefined,
            },
          ]),
        ),
        default: errorResponse,
      },
    });

    const koaPath = spec.path.replace(/\{(\w+)\*\}$/, '*$1').replace(/\{(\w+)\}/g, ':$1');
    const handle: Middleware = async (ctx) => {
      await opts.authenticate(ctx, spec.auth);
      const input = {
        params: spec.params ? parse(spec.params, ctx.params, 'path') : undefined,
        query: spec.query ? parse(spec.query, ctx.query, 'query') : undefined,
        body: spec.body ? parse(spec.body, ctx.request.body ?? {}, 'body') : undefined,
      } as Input<P, Q, B>;
      const result = await spec.handler(input, ctx);
      const reply: Reply = isReply(result) ? result : { body: result };
      for (const [k, v] of Object.entries(reply.headers ?? {})) ctx.set(k, v);
      ctx.status = reply.status ?? spec.status ?? 200;
      if (reply.body !== undefined) ctx.body = reply.body;
    };
    router[spec.method](koaPath, ...(spec.before ?? []), handle);
  }

  return {
    router,
    route,
    served,
    openapi: (info: { title: string; version: string; description?: string }, serverUrl: string) =>
      new OpenApiGeneratorV31(registry.definitions).generateDocument({
        openapi: '3.1.0',
        info,
        servers: [{ url: serverUrl || '/' }],
      }),
  };
}

const REPLY = Symbol('reply');
const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && REPLY in v;

/** A reply with a status or headers; a handler that returns anything else answers it as the body. */
export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Reply =>
  ({ [REPLY]: true, status, body, headers }) as Reply;

/** The `route` function of a product's routes, for area files that register their own routes. */
export type RouteFn<A extends string> = ReturnType<typeof createRoutes<A>>['route'];
