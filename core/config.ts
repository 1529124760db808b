import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Every product Dermaga can serve, with the mount it gets unless configured otherwise. */
export const PRODUCTS = ['panel', 'gpu-lab', 'billing', 'paas', 'academy'] as const;
export type ProductName = (typeof PRODUCTS)[number];

const DEFAULT_MOUNTS = PRODUCTS.map((p) => `${p}=/${p}`).join(',');

const mountList = z
  .string()
  .transform((raw, ctx) => {
    const mounts: { product: ProductName; prefix: string }[] = [];
    for (const entry of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [product, prefix = `/${product}`] = entry.split('=');
      if (!(PRODUCTS as readonly string[]).includes(product)) {
        ctx.addIssue({ code: 'custom', message: `unknown product "${product}" (known: ${PRODUCTS.join(', ')})` });
        return z.NEVER;
      }
      if (!/^\/[a-z0-9/_-]*$/i.test(prefix)) {
        ctx.addIssue({ code: 'custom', message: `mount for ${product} must be a path starting with / (got "${prefix}")` });
        return z.NEVER;
      }
      mounts.push({ product: product as ProductName, prefix: prefix === '/' ? '' : prefix.replace(/\/$/, '') });
    }
    return mounts;
  });

const seconds = z.coerce.number().int().positive();
/** An nginx `listen` value: a port, or address:port. */
const listenValue = z.string().regex(/^((\d{1,3}\.){3}\d{1,3}:|\[[0-9a-f:]+\]:)?\d{1,5}$/i, 'must be a port or address:port');
/** A five-field cron expression for a Temporal Schedule, or `off` for none. */
const cronOrOff = z.string().regex(/^(off|(\S+\s+){4}\S+)$/, 'must be a five-field cron expression or off');
const root = path.resolve(__dirname, '..');

/**
 * Postgres deadlines unless configured (DATABASE_*_TIMEOUT_MS): a request on a dead or hung database
 * answers 503 within the connect or answer deadline (3–6 s). The wait for a free pool connection is
 * longer: it is what a burst on a healthy but busy server waits, not an outage's answer time.
 */
export const DB_TIMEOUT_DEFAULTS = { connectMs: 3000, statementMs: 5000, queryMs: 6000, acquireMs: 30_000 } as const;

const schema = z.object({
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
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(DB_TIMEOUT_DEFAULTS.connectMs),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(DB_TIMEOUT_DEFAULTS.statementMs),
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(0).max(86_400_000).default(DB_TIMEOUT_DEFAULTS.queryMs),
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(DB_TIMEOUT_DEFAULTS.acquireMs),
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
  DERMAGA_FAULT: z.string().regex(/^after-commit:[a-z0-9.-]+$/, 'must be after-commit:<name>').optional(),
  /** unix:///path/docker.sock or tcp://host:port; unset means the local socket. */
  DOCKER_HOST: z.string().optional(),
  /** The host this worker runs on: its activities are polled from dermaga-host-<HOST_ID>. */
  HOST_ID: z.string().regex(/^[a-z0-9-]+$/).default('local'),
  /** Which task queues this worker process polls: control (database work), host (this machine). */
  WORKER_ROLES: z
    .string()
    .default('control,host')
    .transform((s) => s.split(',').map((r) => r.trim()))
    .pipe(z.array(z.enum(['control', 'host'])).min(1)),
  /** Comma list of product=prefix; a product absent from the list is not served. */
  MOUNTS: z.string().default(DEFAULT_MOUNTS).pipe(mountList),
  /** 64 hex chars: seals secrets that travel through Temporal (container passwords, tokens). `npm start` keeps one in .data/. */
  DERMAGA_SECRET_KEY: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters (openssl rand -hex 32)').optional(),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
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
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_test_… or sk_live_…)').default('sk_test_dermaga'),
  STRIPE_API_BASE: z.string().url().optional(),

  /** billing: customers' JWTs (HS256; derived from DERMAGA_SECRET_KEY when unset) and how long they live. */
  BILLING_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BILLING_TOKEN_TTL_SECONDS: seconds.default(3600),
  BILLING_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** Failed logins per IP across all accounts in the window (each account has the limit above). */
  BILLING_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  BILLING_LOGIN_WINDOW_SECONDS: seconds.default(300),
  /** The first billing admin, created on a fresh database (a generated password is printed once). */
  BILLING_ADMIN_EMAIL: z.string().email().default('admin@billing.local'),
  BILLING_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
  /** Password-reset mail: SMTP server (smtp://user:pass@host:port); unset writes each mail as an .eml file into BILLING_MAIL_DIR. */
  BILLING_SMTP_URL: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL').optional(),
  BILLING_MAIL_DIR: z.string().default('.data/mail'),
  BILLING_MAIL_FROM: z.string().default('Dermaga Billing <billing@localhost>'),
  /** The page that takes the reset token (`?token=` is appended) and how long a token lives. */
  BILLING_RESET_URL: z.string().url().default('http://localhost:3000/reset-password'),
  BILLING_RESET_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /** The most events one batch-report may carry. */
  BILLING_BATCH_MAX_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** After a rotation the old key keeps working this long (0: it ends at once). */
  BILLING_KEY_ROTATION_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(7 * 86400).default(0),

  /** Checkouts asked for without a token that one email may be mailed per hour (each supersedes the last). */
  BILLING_CHECKOUT_MAILS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(3),
  /** Origins (comma list) checkout's success_url and cancel_url must be on; unset: any http(s) URL. */
  BILLING_CHECKOUT_RETURN_ORIGINS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const list = (s ?? '').split(',').map((o) => o.trim()).filter(Boolean);
      if (list.some((o) => !/^https?:\/\/[^/?#]+\/?$/i.test(o))) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma list of origins, e.g. https://app.example.com' });
        return z.NEVER;
      }
      return list.length ? list.map((o) => new URL(o).origin) : null;
    }),
  /** Webhook secrets: Stripe's endpoint signing secret, Xendit's callback token, Midtrans's server key. Unset: that webhook answers 503. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  XENDIT_CALLBACK_TOKEN: z.string().min(1).optional(),
  MIDTRANS_SERVER_KEY: z.string().min(1).optional(),
  /** Subscription periods: the plan's days unless this many seconds are set (short periods for tests and demos). */
  BILLING_PERIOD_SECONDS: z.coerce.number().int().positive().optional(),
  /** Dunning: waits (s) between failed charges, then what the subscription becomes. */
  BILLING_DUNNING_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be a comma list of seconds, e.g. 86400,259200,432000')
    .default('86400,259200,432000')
    .transform((s) => s.split(',').map(Number)),
  BILLING_AFTER_DUNNING: z.enum(['canceled', 'unpaid']).default('canceled'),
  /** How long a charge's outcome (its webhook) is awaited, and how long checkout may take. */
  BILLING_PAYMENT_WAIT_SECONDS: seconds.default(86400),
  BILLING_CHECKOUT_TIMEOUT_SECONDS: seconds.default(86400),

  /** gpu-lab: the address containers' SSH and Jupyter ports are published on, and the user SSH logs in as. */
  GPULAB_BIND_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
  GPULAB_SSH_USER: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/).default('lab'),
  /** gpu-lab tokens: HS256 secret for access JWTs (unset: derived from DERMAGA_SECRET_KEY), and lifetimes. */
  GPULAB_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  GPULAB_ACCESS_TOKEN_TTL_SECONDS: seconds.default(15 * 60),
  GPULAB_REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 24 * 3600),
  /** The first gpu-lab admin, created on a fresh database (a generated password is printed once when unset). */
  GPULAB_ADMIN_EMAIL: z.string().email().default('admin@gpu-lab.local'),
  GPULAB_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
  GPULAB_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** Failed logins per IP across all accounts in the window (each account has the limit above). */
  GPULAB_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  GPULAB_LOGIN_WINDOW_SECONDS: seconds.default(300),
  /** gpu-lab containers: the admin-approved images, the hosts that run them, the port pool, and the address researchers reach. */
  GPULAB_IMAGES: z
    .string()
    .default('nvcr.io/nvidia/pytorch:24.05-py3')
    .transform((s) => s.split(',').map((i) => i.trim()).filter(Boolean)),
  GPULAB_HOSTS: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',').map((h) => h.trim()).filter(Boolean) : null)),
  /**
   * Host ports handed to containers' SSH and Jupyter. It may not overlap this machine's ephemeral
   * port range (outgoing connections take those at random, and a create would then fail to bind).
   */
  GPULAB_PORT_RANGE: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, 'must be from-to, e.g. 20000-29999')
    .default('20000-29999')
    .transform((s, ctx) => {
      const [from, to] = s.split('-').map(Number);
      if (from < 1 || to > 65535 || from > to) {
        ctx.addIssue({ code: 'custom', message: `${s} must be from-to with 1 <= from <= to <= 65535` });
        return z.NEVER;
      }
      const ephemeral = ephemeralPortRange();
      if (ephemeral && from <= ephemeral.to && to >= ephemeral.from) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${s} overlaps the kernel's ephemeral port range ${ephemeral.from}-${ephemeral.to} ` +
            `(${EPHEMERAL_RANGE_FILE}), which outgoing connections take ports from; ` +
            `choose a range outside it (e.g. 20000-29999) or narrow net.ipv4.ip_local_port_range`,
        });
        return z.NEVER;
      }
      return { from, to };
    }),
  /** How long a port a container failed to bind (another process holds it) is not handed out again. */
  GPULAB_PORT_QUARANTINE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Deadline of asking a host which of the range's ports are in use, before a create reserves. */
  GPULAB_PORT_CHECK_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(5),
  GPULAB_PUBLIC_HOST: z.string().default('localhost'),
  /**
   * Hosts' CPUs and memory containers may reserve, `host=cpus:memoryMb` comma-separated; a host
   * not listed has what its Docker engine reports (NCPU, MemTotal), asked of its worker on create.
   */
  GPULAB_HOST_CAPACITY: z
    .string()
    .regex(
      /^$|^[a-z0-9][a-z0-9-]{0,63}=\d+(\.\d+)?:\d+(,[a-z0-9][a-z0-9-]{0,63}=\d+(\.\d+)?:\d+)*$/,
      'must be host=cpus:memoryMb, comma-separated',
    )
    .default('')
    .transform((s) =>
      Object.fromEntries(
        s.split(',').filter(Boolean).map((entry) => {
          const [host, cpus, memoryMb] = entry.split(/[=:]/);
          return [host, { cpus: Number(cpus), memoryMb: Number(memoryMb) }];
        }),
      ) as Record<string, { cpus: number; memoryMb: number }>,
    ),
  /** Open price quotes (generate-harga) one researcher may hold at once. */
  GPULAB_MAX_OPEN_QUOTES: z.coerce.number().int().min(1).default(3),
  /** A paid container's lease: the researcher is warned this long before the end, and its workspace kept this long after. */
  GPULAB_LEASE_WARN_HOURS: z.coerce.number().min(0).default(24),
  GPULAB_LEASE_GRACE_DAYS: z.coerce.number().min(0).default(3),
  /** A JSON array run instead of the image's own command (unset: the image's). */
  GPULAB_CONTAINER_CMD: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      try {
        const v = JSON.parse(s);
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of strings' });
      return z.NEVER;
    }),
  /** How long a stopping container gets after SIGTERM before it is killed. */
  /** The nvidia-smi a GPU host's worker runs (GET /gpu/discover, mig, topology). */
  GPULAB_NVIDIA_SMI: z.string().min(1).default('nvidia-smi'),
  GPULAB_STOP_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(600).default(10),

  PANEL_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
  PANEL_TOKEN_TTL_SECONDS: seconds.default(24 * 3600),
  PANEL_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** Failed logins per IP across all accounts in the window (each account has the limit above). */
  PANEL_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  PANEL_LOGIN_WINDOW_SECONDS: seconds.default(300),
  /** Every site's root_path must lie inside this directory. */
  PANEL_WEB_ROOT: z.string().default('/var/www'),
  /** Where Dermaga writes one nginx server block per site. */
  PANEL_NGINX_SITES_DIR: z.string().default('/etc/nginx/sites-enabled'),
  PANEL_NGINX_BIN: z.string().default('nginx'),
  /** Main nginx.conf to test and signal; empty means nginx's compiled-in default. */
  PANEL_NGINX_CONF: z.string().optional(),
  /** The nginx master's pid file (Debian's default). */
  PANEL_NGINX_PID_FILE: z.string().default('/run/nginx.pid'),
  /** nginx `listen` value for site server blocks: a port, or address:port (must match the default server's). */
  PANEL_NGINX_LISTEN: listenValue.default('80'),
  /** nginx `listen` value for the TLS server block a site gains with its certificate. */
  PANEL_NGINX_TLS_LISTEN: listenValue.default('443'),
  /**
   * Ports a proxy site may not publish, besides the platform's own (the API, Temporal and its UI,
   * Postgres, MariaDB, Docker over TCP, nginx itself): Docker's API ports unless configured.
   */
  PANEL_PROXY_DENIED_PORTS: z
    .string()
    .regex(/^(\d{1,5}(,\d{1,5})*)?$/, 'must be a comma list of ports, e.g. 2375,2376 (or empty)')
    .default('2375,2376')
    .transform((s) => s.split(',').filter(Boolean).map(Number)),
  /** ACME (RFC 8555) directory certificates are ordered from: Let's Encrypt unless configured. */
  PANEL_ACME_DIRECTORY_URL: z.string().url().default('https://acme-v02.api.letsencrypt.org/directory'),
  /** A PEM bundle to trust for the ACME server's HTTPS (a private CA such as pebble); unset means the system's. */
  PANEL_ACME_CA_FILE: z.string().optional(),
  /** Where keys and chains are kept, one directory per domain (0700; keys 0600). */
  PANEL_SSL_DIR: z.string().default('/etc/nusantara-panel/ssl'),
  /** Renewal picks certificates that expire within this many days. */
  PANEL_SSL_RENEW_BEFORE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Cron expression (UTC) of the renewal Schedule, or `off`. */
  PANEL_SSL_RENEW_SCHEDULE: cronOrOff.default('17 3 * * *'),
  /** Backups: where they are written (0700), how many the scheduled run keeps, and its cron (UTC) or `off`. */
  PANEL_BACKUP_DIR: z.string().default('/var/backups/nusantara-panel'),
  PANEL_BACKUP_KEEP: z.coerce.number().int().min(1).max(1000).default(7),
  PANEL_BACKUP_SCHEDULE: cronOrOff.default('30 2 * * *'),
  PANEL_OS_RELEASE_FILE: z.string().default('/etc/os-release'),
  /** The MariaDB where panel databases and their users are created: an account that may create and grant. */
  PANEL_MYSQL_URL: z
    .string()
    .regex(/^mysql:\/\/[^\s]+$/, 'must be a mysql:// URL such as mysql://user:password@127.0.0.1:3306')
    .default('mysql://root@127.0.0.1:3306'),
  /** PHP sites: one PHP-FPM pool file per site goes here; php-fpm's pid file to reload it; sockets dir. */
  PANEL_PHP_POOL_DIR: z.string().default('/etc/php/8.2/fpm/pool.d'),
  PANEL_PHP_FPM_PID_FILE: z.string().default('/run/php/php8.2-fpm.pid'),
  PANEL_PHP_SOCKET_DIR: z.string().default('/run/php'),
  /** The user nginx workers run as: it must be able to open each site's PHP-FPM socket. */
  PANEL_NGINX_USER: z.string().regex(/^[a-z_][a-z0-9_-]*$/).default('www-data'),
  /** Self-update: the repository and branch the panel follows, and the install script the updater unit runs. */
  PANEL_UPDATE_REPO_URL: z.string().min(1).default('https://github.com/wayangm/Nusantara-Panel.git'),
  PANEL_UPDATE_BRANCH: z.string().regex(/^[A-Za-z0-9._/-]+$/).default('main'),
  /** Defaults to the repository's install.sh on that branch (GitHub raw URL). */
  PANEL_UPDATE_SCRIPT_URL: z.string().url().optional(),
});

export const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';

/** This machine's ephemeral port range (Linux), or null where the kernel does not say. */
export function ephemeralPortRange(file = EPHEMERAL_RANGE_FILE): { from: number; to: number } | null {
  try {
    const [from, to] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(from) && Number.isInteger(to) ? { from, to } : null;
  } catch {
    return null;
  }
}

/** A configuration a process must not start with; its message is one line, naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Config = z.infer<typeof schema> & { rootDir: string; publicUrl: string; updateScriptUrl: string };

/** Parses configuration from an environment; the only place that reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const c = parsed.data;
  if (c.DATABASE_QUERY_TIMEOUT_MS && c.DATABASE_STATEMENT_TIMEOUT_MS >= c.DATABASE_QUERY_TIMEOUT_MS) {
    // The server's own deadline must come first: it cancels the statement and keeps the connection,
    // where the client's gives up on the connection.
    throw new ConfigError('invalid configuration: DATABASE_STATEMENT_TIMEOUT_MS: must be below DATABASE_QUERY_TIMEOUT_MS (or 0)');
  }
  return {
    ...c,
    rootDir: root,
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
    updateScriptUrl: c.PANEL_UPDATE_SCRIPT_URL ?? githubRawInstallScript(c.PANEL_UPDATE_REPO_URL, c.PANEL_UPDATE_BRANCH),
  };
}

/** https://github.com/o/r(.git) on branch b → https://raw.githubusercontent.com/o/r/b/install.sh */
function githubRawInstallScript(repo: string, branch: string): string {
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(\.git)?$/.exec(repo);
  return m ? `https://raw.githubusercontent.com/${m[1]}/${m[2]}/${branch}/install.sh` : `${repo.replace(/\.git$/, '')}/install.sh`;
}

export const hostname = os.hostname();
