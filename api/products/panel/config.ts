import { z } from 'zod';
import { cronOrOff, type ProductSettings, seconds } from '../../../core/settings';

/** An nginx `listen` value: a port, or address:port. */
const listenValue = z
  .string()
  .regex(/^((\d{1,3}\.){3}\d{1,3}:|\[[0-9a-f:]+\]:)?\d{1,5}$/i, 'must be a port or address:port');

/** panel's settings (PANEL_*), with the updater's install script derived from its repository and branch. */
export const panelSettings = z
  .object({
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
    PANEL_NGINX_USER: z
      .string()
      .regex(/^[a-z_][a-z0-9_-]*$/)
      .default('www-data'),
    /** Self-update: the repository and branch the panel follows, and the install script the updater unit runs. */
    PANEL_UPDATE_REPO_URL: z.string().min(1).default('https://github.com/wayangm/Nusantara-Panel.git'),
    PANEL_UPDATE_BRANCH: z
      .string()
      .regex(/^[A-Za-z0-9._/-]+$/)
      .default('main'),
    /** Defaults to the repository's install.sh on that branch (GitHub raw URL). */
    PANEL_UPDATE_SCRIPT_URL: z.string().url().optional(),
  })
  .transform((s) => ({
    ...s,
    updateScriptUrl:
      s.PANEL_UPDATE_SCRIPT_URL ?? githubRawInstallScript(s.PANEL_UPDATE_REPO_URL, s.PANEL_UPDATE_BRANCH),
  })) satisfies ProductSettings;

export type PanelSettings = z.output<typeof panelSettings>;

/** https://github.com/o/r(.git) on branch b → https://raw.githubusercontent.com/o/r/b/install.sh */
function githubRawInstallScript(repo: string, branch: string): string {
  const m = /^https:\/\/github\.com\/([^/]+)\/([^/]+?)(\.git)?$/.exec(repo);
  return m
    ? `https://raw.githubusercontent.com/${m[1]}/${m[2]}/${branch}/install.sh`
    : `${repo.replace(/\.git$/, '')}/install.sh`;
}
