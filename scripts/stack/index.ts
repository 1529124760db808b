import path from 'node:path';
import { startMariadb } from './mariadb';
import { startNginx } from './nginx';
import { startPhpFpm } from './php-fpm';
import { startPostgres } from './postgres';
import { findTemporalCli, startTemporal } from './temporal';

export interface StackOptions {
  dataDir: string;
  ports?: Partial<{ postgres: number; temporal: number; temporalUi: number; nginx: number; mariadb: number }>;
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
 * is, a private php-fpm unless PANEL_PHP_POOL_DIR is, a private mariadbd unless PANEL_MYSQL_URL is. Returns the variables the API and worker need, and stop() for what it started.
 */
export async function startStack(opts: StackOptions) {
  const log = opts.log ?? (() => undefined);
  const ports = { postgres: 54329, temporal: 7233, temporalUi: 8233, nginx: 8080, mariadb: 33069, ...opts.ports };
  const env: Record<string, string> = {};
  const stops: (() => Promise<unknown>)[] = [];
  const urls: Record<string, string> = {};
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
  try {
    const [pg, temporal, nginx, php, mariadb] = await Promise.all([
      tracked(
        process.env.DATABASE_URL
          ? null
          : startPostgres({
              dataDir: path.join(opts.dataDir, 'postgres'),
              port: ports.postgres,
              throwaway: opts.throwaway,
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
        process.env.PANEL_NGINX_SITES_DIR
          ? null
          : hostTool(() =>
              startNginx({
                dir: path.join(opts.dataDir, 'nginx'),
                webRoot: path.join(opts.dataDir, 'www'),
                port: ports.nginx,
              }),
            ),
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
  } catch (err) {
    await stopAll(stops);
    throw err;
  }
  return { env, urls, stop: () => stopAll(stops) };
}

async function stopAll(stops: (() => Promise<unknown>)[]) {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
