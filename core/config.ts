import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
// The products' settings, each declared in api/products/<product>/config.ts: core names no product's variable,
// it only composes the list (a light module of zod schemas, not the products' routes).
import { productSettings } from '../api/products/settings';

export { EPHEMERAL_RANGE_FILE, ephemeralPortRange } from './settings';

/** Every product Dermaga can serve, with the mount it gets unless configured otherwise. */
export const PRODUCTS = ['panel', 'gpu-lab', 'billing', 'paas', 'academy'] as const;
export type ProductName = (typeof PRODUCTS)[number];

const DEFAULT_MOUNTS = PRODUCTS.map((p) => `${p}=/${p}`).join(',');

const mountList = z.string().transform((raw, ctx) => {
  const mounts: { product: ProductName; prefix: string }[] = [];
  for (const entry of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [product, prefix = `/${product}`] = entry.split('=');
    if (!(PRODUCTS as readonly string[]).includes(product)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown product "${product}" (known: ${PRODUCTS.join(', ')})`,
      });
      return z.NEVER;
    }
    if (!/^\/[a-z0-9/_-]*$/i.test(prefix)) {
      ctx.addIssue({
        code: 'custom',
        message: `mount for ${product} must be a path starting with / (got "${prefix}")`,
      });
      return z.NEVER;
    }
    mounts.push({ product: product as ProductName, prefix: prefix === '/' ? '' : prefix.replace(/\/$/, '') });
  }
  return mounts;
});

const root = path.resolve(__dirname, '..');

/**
 * Postgres deadlines unless configured (DATABASE_*_TIMEOUT_MS): a request on a dead or hung database
 * answers 503 within the connect or answer deadline (3–6 s). The wait for a free pool connection is
 * longer: it is what a burst on a healthy but busy server waits, not an outage's answer time.
 */
export const DB_TIMEOUT_DEFAULTS = {
  connectMs: 3000,
  statementMs: 5000,
  queryMs: 6000,
  acquireMs: 30_000,
} as const;

/** The platform's own settings; each product's are in api/products/<product>/config.ts. */
export const platformSettings = z.object({
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Public base URL of the API, used in links the API prints; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.string().url().optional(),
  DATABASE_URL: z.string().default('postgres://postgres:postgres@127.0.0.1:5432/dermaga'),
  /**
   * Deadlines on Postgres, so a request answers 503 in seconds when it is down or hung: opening a
   * connection, a statement on the server (0: none), the client's wait for any answer (what ends a
   * wait on a frozen server; 0: none), and a request's wait for a free connection of the pool.
   * Migrations run without the statement and answer deadlines.
   */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600_000)
    .default(DB_TIMEOUT_DEFAULTS.connectMs),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(DB_TIMEOUT_DEFAULTS.statementMs),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(DB_TIMEOUT_DEFAULTS.queryMs),
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600_000)
    .default(DB_TIMEOUT_DEFAULTS.acquireMs),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  /** Deadline of every call to Temporal (start, signal, query, describe): past it the API answers 503 naming Temporal. */
  TEMPORAL_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(3000),
  /** An update waits for the workflow to apply it (a worker runs it): its own, longer deadline. */
  TEMPORAL_UPDATE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Recorded workflow starts (the outbox) still not started after this are started by the reconciler. */
  WORKFLOW_START_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
  /** How often the Temporal Schedule `platform-workflow-starts` runs that reconciler. */
  WORKFLOW_START_RECONCILE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(10),
  /**
   * TEST ONLY: `after-commit:<name>` makes the API process exit hard (SIGKILL) right after it commits
   * the rows of a `<name>` start (e.g. site.provision), before starting its workflow. Never set it in production.
   */
  DERMAGA_FAULT: z
    .string()
    .regex(/^after-commit:[a-z0-9.-]+$/, 'must be after-commit:<name>')
    .optional(),
  /** unix:///path/docker.sock or tcp://host:port; unset means the local socket. */
  DOCKER_HOST: z.string().optional(),
  /** The host this worker runs on: its activities are polled from dermaga-host-<HOST_ID>. */
  HOST_ID: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('local'),
  /** Which task queues this worker process polls: control (database work), host (this machine). */
  WORKER_ROLES: z
    .string()
    .default('control,host')
    .transform((s) => s.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(['control', 'host'])).min(1)),
  /** Comma list of product=prefix; a product absent from the list is not served. */
  MOUNTS: z.string().default(DEFAULT_MOUNTS).pipe(mountList),
  /** 64 hex chars: seals secrets that travel through Temporal (container passwords, tokens). `npm start` keeps one in .data/. */
  DERMAGA_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (openssl rand -hex 32)')
    .optional(),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** argon2 hashes run at once, and password checks that may wait before one is told to retry (429). */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(100_000).default(64),
  /**
   * /metrics names routes and counts answers (failed logins among them), so it is not public: on the
   * API's port it needs `Authorization: Bearer <METRICS_TOKEN>` (unset: not served there); METRICS_PORT
   * adds a listener on METRICS_HOST serving only /metrics (asking for the token too when one is set).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),

  /** Stripe: the secret key (any sk_test_ key works against stripe-mock) and, for stripe-mock, its base URL. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_… or sk_live_…)')
    .default('sk_test_dermaga'),
  STRIPE_API_BASE: z.string().url().optional(),
});

/** A configuration a process must not start with; its message is one line, naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;

/** The platform's own settings (platformSettings), before the products' are added. */
export type PlatformConfig = z.infer<typeof platformSettings> & { rootDir: string; publicUrl: string };
/** Every registered product's settings (api/products/<product>/config.ts), side by side. */
export type ProductConfig = UnionToIntersection<z.output<(typeof productSettings)[number]>>;
/** One object: the platform's settings and every product's (their variables never share a name). */
export type Config = PlatformConfig & ProductConfig;

/**
 * Parses configuration from an environment; the only place that reads process.env. The platform's
 * schema and each product's (registered in api/products/settings.ts) read the same environment; every
 * wrong variable of any of them is reported at once, in one line.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const platform = platformSettings.safeParse(env);
  const products = productSettings.map((s) => s.safeParse(env));
  const issues = [platform, ...products].flatMap((r) => (r.success ? [] : r.error.issues));
  if (!platform.success || issues.length) {
    const lines = issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const c = platform.data;
  if (c.DATABASE_QUERY_TIMEOUT_MS && c.DATABASE_STATEMENT_TIMEOUT_MS >= c.DATABASE_QUERY_TIMEOUT_MS) {
    // The server's own deadline must come first: it cancels the statement and keeps the connection,
    // where the client's gives up on the connection.
    throw new ConfigError(
      'invalid configuration: DATABASE_STATEMENT_TIMEOUT_MS: must be below DATABASE_QUERY_TIMEOUT_MS (or 0)',
    );
  }
  return Object.assign({}, ...products.map((r) => r.data), c, {
    rootDir: root,
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  }) as Config;
}

export const hostname = os.hostname();
