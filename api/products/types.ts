import type Router from '@koa/router';
import type Docker from 'dockerode';
import type { Knex } from 'knex';
import type { Config, ProductName } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Temporal } from '../../core/temporal';
import type { ErrorEnvelope } from '../http/errors';

/** What the platform hands every product. */
export interface PlatformDeps {
  config: Config;
  db: Knex;
  temporal: Temporal;
  docker: Docker;
  logger: Logger;
}

/** A product as the platform mounts it: a router relative to its mount, and its API document. */
export interface Product {
  name: ProductName;
  title: string;
  router: Router;
  /** How this product writes errors (its contract's envelope). */
  errorEnvelope: ErrorEnvelope;
  /** Method and OpenAPI-style path of every route it serves, relative to its mount. */
  served: { method: string; path: string }[];
  openapi(serverUrl: string): object;
  /** Runs once when the API starts (e.g. the panel's bootstrap admin). */
  start?(): Promise<void>;
  /** Closes what the product opened itself (e.g. billing's hot-path pool), when the API stops. */
  stop?(): Promise<void>;
}

export type ProductFactory = (deps: PlatformDeps) => Product;
