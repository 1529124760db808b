import path from 'node:path';
import { startMariadb } from './mariadb';
import { startNginx } from './nginx';
import { startPhpFpm } from './php-fpm';
import { startPebble } from './pebble';
import { startPostgres } from './postgres';
import { startStripeMock } from './stripe-mock';
import { freePorts } from './processes';
import { findTemporalCli, startTemporal } from './temporal';

const PORT_NAMES = [
  'postgres',
  'temporal',
  'temporalUi',
  'nginx',
  'nginxTls',
  'mariadb',
  'pebble',
  'pebbleManagement',
  'pebbleDns',
  'pebbleDnsManagement',
  'stripeMock',
] as const;
export type StackPorts = Record<(typeof PORT_NAMES)[number], number>;

/** A free port for every part of the stack: tests and benches run beside `npm start` without clashing. */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = await freePorts(PORT_NAMES.length);
  return Object.fromEntries(PORT_NAMES.map((n, i) => [n, ports[i]])) as StackPorts;
}

export interface StackOptions {
  dataDir: string;
  ports?: Partial<StackPorts>;
  headlessTemporal?: boolean;
  /** Where Temporal keeps its history; null keeps it in memory (tests). */
  temporalDbFile?: string | null;
  /** Throwaway data (tests): Postgres skips fsync. */
  throwaway?: boolean;
  /** Start without nginx or php-fpm when they are not installed (npm start on a bare machine); tests require them. */
  hostToolsOptional?: boolean;
  log?: (line: string) => void;
}

/**
 * Starts what the environment does not already point to: Postgres unless DATABASE_URL is set,
 * a Temporal dev server unless TEMPORAL_ADDRESS is, a private nginx unless PANEL_NGINX_SITES_DIR
 * is, a private php-fpm unless PANEL_PHP_POOL_DIR is, a private mariadbd unless PANEL_MYSQL_URL is, in front of our own nginx a local ACME CA (pebble) unless PANEL_ACME_DIRECTORY_URL is set, and stripe-mock unless STRIPE_SECRET_KEY or STRIPE_API_BASE is. Returns the variables the API and worker need, and stop() for what it started.
 */
export async function startStack(opts: StackOptions) {
  const log = opts.log ?? (() => undefined);
  const ports: StackPorts = {
    postgres: 54329,
    temporal: 7233,
    temporalUi: 8233,
    nginx: 8080,
    nginxTls: 8443,
    mariadb: 33069,
    pebble: 14000,
    pebbleManagement: 15000,
    pebbleDns: 8053,
    pebbleDnsManagement: 8055,
    stripeMock: 12111,
    ...opts.ports,
  };
  const env: Record<string, string> = {};
  const stops: (() => Promise<unknown>)[] = [];
  const urls: Record<string, string> = {};
  /** For tests: pebble's root certificate and its DNS server's management API. */
  const acme: { rootsUrl?: string; dnsManagementUrl?: string } = {};
  // Each part registers its stop as soon as it is up, so a failure elsewhere stops it again.
  const tracked = async <T extends { stop(): Promise<unknown> }>(
    start: Promise<T> | null,
  ): Promise<T | null> => {
    const started = await start;
    if (started) stops.push(() => started.stop());
    return started;
  };
  // A missing nginx, php-fpm or MariaDB is a warning for `npm start`: only what needs it fails.
  const hostTool = <T>(start: () => Promise<T>): Promise<T> | null => {
    const started = start();
    if (!opts.hostToolsOptional) return started;
    return started.catch((err: Error) => {
      if (!/is not installed/.test(err.message)) throw err;
      log(`warning: ${err.message}`);
      return null as T;
    });
  };
  // Every part's start, so a failure can wait for the others before stopping what came up: a part
  // still starting when another failed would otherwise come up after the stop, and outlive us.
  const starting: Promise<unknown>[] = [];
  const all = <T extends unknown[]>(parts: [...{ [K in keyof T]: Promise<T[K]> }]) => {
    starting.push(...parts);
    return Promise.all(parts) as Promise<T>;
  };
  try {
    const ownNginx = !process.env.PANEL_NGINX_SITES_DIR;
    const [pg, temporal, nginx, php, mariadb, pebble, stripe] = await all([
      tracked(
        process.env.DATABASE_URL
          ? null
          : startPostgres({
              dataDir: path.join(opts.dataDir, 'postgres'),
              port: ports.postgres,
              throwaway: opts.throwaway,
              log,
            }),
      ),
      tracked(
        process.env.TEMPORAL_ADDRESS
          ? null
          : findTemporalCli(log).then((cli) =>
              startTemporal({
                cli,
                port: ports.temporal,
                uiPort: ports.temporalUi,
                dbFile:
                  opts.temporalDbFile === undefined
                    ? path.join(opts.dataDir, 'temporal/temporal.db')
                    : opts.temporalDbFile,
                headless: opts.headlessTemporal ?? false,
                logFile: path.join(opts.dataDir, 'logs/temporal.log'),
                log,
              }),
            ),
      ),
      tracked(
        ownNginx
          ? hostTool(() =>
              startNginx({
                dir: path.join(opts.dataDir, 'nginx'),
                webRoot: path.join(opts.dataDir, 'www'),
                port: ports.nginx,
                tlsPort: ports.nginxTls,
              }),
            )
          : null,
      ),
      tracked(
        process.env.PANEL_PHP_POOL_DIR
          ? null
          : hostTool(() => startPhpFpm({ dir: path.join(opts.dataDir, 'php-fpm') })),
      ),
      tracked(
        process.env.PANEL_MYSQL_URL
          ? null
          : hostTool(() => startMariadb({ dir: path.join(opts.dataDir, 'mariadb'), port: ports.mariadb })),
      ),
      // A local ACME CA only makes sense in front of our own nginx: pebble validates against its port.
      tracked(
        process.env.PANEL_ACME_DIRECTORY_URL || !ownNginx
          ? null
          : hostTool(() =>
              startPebble({
                dir: path.join(opts.dataDir, 'pebble'),
                port: ports.pebble,
                managementPort: ports.pebbleManagement,
                dnsPort: ports.pebbleDns,
                dnsManagementPort: ports.pebbleDnsManagement,
                httpPort: ports.nginx,
                tlsPort: ports.nginxTls,
              }),
            ),
      ),
      // Without a Stripe key, billing talks to Stripe's official mock.
      tracked(
        process.env.STRIPE_SECRET_KEY || process.env.STRIPE_API_BASE
          ? null
          : hostTool(() =>
              startStripeMock({ dir: path.join(opts.dataDir, 'stripe-mock'), port: ports.stripeMock, log }),
            ),
      ),
    ]);
    if (pg) env.DATABASE_URL = pg.url;
    if (temporal) {
      env.TEMPORAL_ADDRESS = temporal.address;
      env.TEMPORAL_UI_URL = temporal.uiUrl;
      urls.temporalUi = temporal.uiUrl;
    }
    if (nginx) {
      Object.assign(env, {
        PANEL_NGINX_BIN: nginx.bin,
        PANEL_NGINX_CONF: nginx.confFile,
        PANEL_NGINX_SITES_DIR: nginx.sitesDir,
        PANEL_WEB_ROOT: nginx.webRoot,
        PANEL_NGINX_LISTEN: nginx.listen,
        PANEL_NGINX_LISTEN_PORT: String(nginx.port),
        PANEL_NGINX_PID_FILE: nginx.pidFile,
        PANEL_NGINX_TLS_LISTEN: nginx.tlsListen,
        PANEL_SSL_DIR: path.join(opts.dataDir, 'ssl'),
        PANEL_BACKUP_DIR: path.join(opts.dataDir, 'backups'),
      });
      urls.sites = `http://${nginx.listen}`;
    }
    if (php) {
      Object.assign(env, {
        PANEL_PHP_POOL_DIR: php.poolDir,
        PANEL_PHP_SOCKET_DIR: php.socketDir,
        PANEL_PHP_FPM_PID_FILE: php.pidFile,
      });
    }
    if (mariadb) env.PANEL_MYSQL_URL = mariadb.url;
    if (pebble) {
      Object.assign(env, {
        PANEL_ACME_DIRECTORY_URL: pebble.directoryUrl,
        PANEL_ACME_CA_FILE: pebble.caFile,
      });
      Object.assign(acme, { rootsUrl: pebble.rootsUrl, dnsManagementUrl: pebble.dnsManagementUrl });
      urls.acme = pebble.directoryUrl;
    }
    if (stripe) {
      env.STRIPE_API_BASE = stripe.apiBase;
      urls.stripe = stripe.apiBase;
    }
  } catch (err) {
    await Promise.allSettled(starting);
    await stopAll(stops);
    throw err;
  }
  return { env, urls, acme, stop: () => stopAll(stops) };
}

async function stopAll(stops: (() => Promise<unknown>)[]) {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
