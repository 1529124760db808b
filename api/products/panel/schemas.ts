import { z } from 'zod';
import '../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../http/whole-number';

/** A DNS hostname with at least two labels, lowercased: what nginx will match in server_name. */
export const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{2,63}(?<!-)$/,
    'must be a valid hostname such as example.com',
  )
  .openapi({ example: 'example.com' });

const RUNTIMES = ['static', 'php', 'proxy'] as const;
export const Runtime = z
  .enum(RUNTIMES, { error: () => `must be one of: ${RUNTIMES.join(', ')}` })
  .openapi({
    description:
      "static: files from root_path; php: also .php through a PHP-FPM pool of its own, running as the site's own user; proxy: requests go to an app on 127.0.0.1:proxy_port (files in root_path are served first).",
  });

const IdParam = (name: string, prefix: string) =>
  z.strictObject({
    [name]: z.string().regex(new RegExp(`^${prefix}_[a-z0-9]{10,40}$`), `must be a ${prefix}_ id`),
  });

export const SiteIdParams = IdParam('site_id', 'site');
export const JobIdParams = IdParam('job_id', 'job');

export const LoginBody = z
  .strictObject({
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .openapi('LoginRequest');

export const ChangePasswordBody = z
  .strictObject({
    current_password: z.string().min(1).max(256),
    new_password: z.string().min(1).max(256),
  })
  .openapi('ChangePasswordRequest');

export const CreateSiteBody = z
  .strictObject({
    domain: Domain,
    root_path: z.string().max(4096).optional().openapi({
      description: 'Absolute path inside the web root; defaults to <web root>/<domain>.',
      example: '/var/www/example',
    }),
    runtime: Runtime.default('static'),
    proxy_port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .openapi({ description: 'Required for runtime proxy: the local port of the app', example: 3001 }),
    php_allow_exec: z.boolean().default(false).openapi({
      description:
        "runtime php only: lets the site's PHP start processes (exec, shell_exec, system, passthru, " +
        "popen, proc_open), as the site's own user. Off by default.",
    }),
  })
  .refine((b) => (b.runtime === 'proxy') === (b.proxy_port !== undefined), {
    message: 'is required for runtime proxy, and only for it',
    path: ['proxy_port'],
  })
  .refine((b) => b.runtime === 'php' || !b.php_allow_exec, {
    message: 'is for runtime php only',
    path: ['php_allow_exec'],
  })

  .openapi('CreateSiteRequest');

const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Offset = wholeNumberParam('bigint').min(0).default(0);

export const ListSitesQuery = z.strictObject({
  status: z.enum(['provisioning', 'active', 'failed', 'deleting']).optional(),
  limit: Limit,
  offset: Offset,
});

export const ListJobsQuery = z.strictObject({
  status: z.enum(['queued', 'running', 'succeeded', 'failed']).optional(),
  type: z.string().max(64).optional(),
  target_id: z.string().max(64).optional(),
  limit: Limit,
  offset: Offset,
});

export const User = z
  .object({ id: z.string(), username: z.string(), role: z.enum(['admin', 'viewer']) })
  .openapi('User');

export const LoginResponse = z
  .object({ token: z.string(), expires_at: z.string().datetime(), user: User })
  .openapi('LoginResponse');

export const MeResponse = z.object({ user: User, expires_at: z.string().datetime() }).openapi('MeResponse');

export const Site = z
  .object({
    id: z.string(),
    domain: z.string(),
    root_path: z.string(),
    runtime: Runtime,
    proxy_port: z.number().int().nullable(),
    php_allow_exec: z.boolean().openapi({ description: "Whether the site's PHP may start processes" }),
    status: z.enum(['provisioning', 'active', 'failed', 'deleting']),
    error: z.string().nullable(),
    job_id: z.string().nullable(),
    ssl: z
      .object({
        status: z.enum(['issuing', 'active', 'failed']),
        not_after: z.string().datetime().nullable(),
        issuer: z.string().nullable(),
        error: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: "The site's certificate (POST /v1/ssl/issue), or null when it has none" }),
    created_at: z.string().datetime(),
    updated_at: z.string().datetime(),
  })
  .openapi('Site');

export const SiteAccepted = z.object({ site: Site, job_id: z.string() }).openapi('SiteAccepted');

export const Job = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'site.provision' }),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    target: z.object({ type: z.string(), id: z.string() }),
    steps: z.array(
      z.object({
        name: z.string(),
        status: z.enum(['running', 'succeeded', 'failed']),
        started_at: z.string(),
        finished_at: z.string().optional(),
      }),
    ),
    error: z.string().nullable(),
    workflow_id: z.string(),
    temporal_ui_url: z.string().url(),
    created_at: z.string().datetime(),
    started_at: z.string().datetime().nullable(),
    finished_at: z.string().datetime().nullable(),
  })
  .openapi('Job');

export const Healthz = z
  .object({
    status: z.enum(['ok', 'degraded']),
    service: z.literal('nusantarad'),
    timestamp: z.string().datetime(),
  })
  .openapi('PanelHealth');

export const Compatibility = z
  .object({
    target_os: z.string(),
    single_server_only: z.boolean(),
    native_on_server: z.boolean(),
    compatibility_info: z.object({
      goos: z.string(),
      id: z.string(),
      version_id: z.string(),
      supported: z.boolean(),
    }),
  })
  .openapi('Compatibility');

export const SiteResponse = z.object({ site: Site }).openapi('SiteResponse');
export const SiteList = z.object({ sites: z.array(Site), total: z.number().int() }).openapi('SiteList');
export const JobResponse = z.object({ job: Job }).openapi('JobResponse');
export const JobList = z.object({ jobs: z.array(Job), total: z.number().int() }).openapi('JobList');
export const PasswordChanged = z
  .object({ message: z.string(), revoked_sessions: z.number().int() })
  .openapi('PasswordChanged');

export const ListAuditQuery = z
  .strictObject({
    actor: z.string().max(64).optional(),
    action: z.string().max(64).optional().openapi({ example: 'site.create' }),
    target: z.string().max(128).optional().openapi({ example: 'site:site_0mwvn6zxdcliwhmohof8' }),
    from: z.coerce.date().optional().openapi({ description: 'Inclusive start (ISO-8601)' }),
    to: z.coerce.date().optional().openapi({ description: 'Exclusive end (ISO-8601)' }),
    limit: Limit,
    offset: Offset,
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'must be after from', path: ['to'] });

export const AuditEntry = z
  .object({
    id: z.string(),
    actor: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    ip: z.string().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    detail: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string().datetime(),
  })
  .openapi('AuditEntry');
export const AuditList = z
  .object({ logs: z.array(AuditEntry), total: z.number().int() })
  .openapi('AuditList');

const Usage = { total_bytes: z.number().int(), used_bytes: z.number().int(), used_percent: z.number() };
export const HostStatus = z
  .object({
    hostname: z.string(),
    cpu: z.object({
      cores: z.number().int(),
      model: z.string().nullable(),
      load: z.object({ '1m': z.number(), '5m': z.number(), '15m': z.number() }),
      usage_percent: z.number().openapi({ description: 'Busy share over a 200 ms sample' }),
    }),
    memory: z.object({ ...Usage, available_bytes: z.number().int() }),
    swap: z.object({ ...Usage, free_bytes: z.number().int() }),
    disks: z.array(
      z.object({
        mount: z.string(),
        device: z.string(),
        type: z.string(),
        ...Usage,
        available_bytes: z.number().int(),
      }),
    ),
    uptime_seconds: z.number().int(),
    collected_at: z.string().datetime(),
  })
  .openapi('HostStatus');

export const ServiceStatus = z
  .object({
    method: z
      .enum(['systemctl', 'process-table'])
      .openapi({ description: 'How nginx, MariaDB and PHP-FPM were checked on this host' }),
    services: z.array(
      z.object({
        name: z.string(),
        unit: z.string(),
        status: z
          .string()
          .openapi({ description: 'systemctl is-active vocabulary: active, inactive, failed, ...' }),
        method: z.enum(['systemctl', 'process-table', 'temporal-pollers']),
        detail: z.string().optional(),
      }),
    ),
    checked_at: z.string().datetime(),
  })
  .openapi('ServiceStatus');

export const PanelVersion = z
  .object({
    version: z.string(),
    commit: z.string().nullable(),
    build_time: z.string().nullable().openapi({ description: 'null when running from source' }),
  })
  .openapi('PanelVersion');
export const UpdateCheck = z
  .object({
    status: z.enum(['up_to_date', 'update_available', 'unknown']),
    current_commit: z.string().nullable(),
    remote_commit: z.string().nullable(),
    repo_url: z.string(),
    branch: z.string(),
    checked_at: z.string().datetime(),
    reason: z.string().optional().openapi({ description: 'Why the status is unknown' }),
  })
  .openapi('UpdateCheck');
export const UpdateStarted = z
  .object({
    unit: z.string(),
    repo_url: z.string(),
    branch: z.string(),
    script_url: z.string(),
    started_at: z.string().datetime(),
  })
  .openapi('UpdateStarted');
export const UpdateStatus = z
  .object({
    unit: z.string(),
    active_state: z.string(),
    sub_state: z.string().nullable(),
    result: z.string().nullable(),
    started_at: z.string().nullable(),
    finished_at: z.string().nullable(),
    logs: z.array(z.string()),
    reason: z.string().optional(),
  })
  .openapi('UpdateStatus');

/** A MariaDB database or user name: only characters that never need quoting in SQL. */
const SqlName = (max: number) =>
  z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_]{1,${max}}$`), `must be 1–${max} characters, each a letter, digit or _`);

/** A MariaDB account's host part; the account is username@host. */
const AccountHost = z
  .string()
  .max(255)
  .regex(
    /^(%|(\d{1,3}\.){1,3}(\d{1,3}|%)|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)$/,
    'must be localhost, %, an IPv4 address (a trailing % allowed) or a hostname',
  )
  .default('localhost');

export const CreateDatabaseBody = z
  .strictObject({ name: SqlName(64).openapi({ example: 'app_db' }) })
  .openapi('CreateDatabaseRequest');

export const CreateDatabaseUserBody = z
  .strictObject({
    database: SqlName(64).openapi({ example: 'app_db', description: 'A database the panel created' }),
    username: SqlName(32).openapi({ example: 'app_user' }),
    password: z.string().min(1).max(256).openapi({
      description: '12+ characters mixing three of lowercase, uppercase, digits, symbols; not containing the username. Never stored.',
    }),
    host: AccountHost.openapi({
      description: 'Where the user may connect from: localhost (socket), 127.0.0.1, % (anywhere), ...',
    }),
  })
  .openapi('CreateDatabaseUserRequest');

export const DatabaseNameParams = z.strictObject({ name: SqlName(64) });
export const DatabaseUserParams = z.strictObject({ username: SqlName(32) });
export const DeleteDatabaseUserQuery = z.strictObject({
  host: AccountHost.openapi({
    description: 'The account is username@host; as when it was created, localhost by default',
  }),
});

export const ListDatabasesQuery = z.strictObject({ limit: Limit, offset: Offset });

export const DatabaseUser = z
  .object({
    id: z.string(),
    database: z.string(),
    username: z.string(),
    host: z.string(),
    created_at: z.string().datetime(),
  })
  .openapi('DatabaseUser');

export const Database = z
  .object({
    id: z.string(),
    name: z.string(),
    on_server: z.boolean().nullable().openapi({
      description: 'Whether MariaDB has it now: false when it was dropped outside the panel, null when MariaDB could not be asked',
    }),
    users: z.array(DatabaseUser.omit({ database: true })),
    created_at: z.string().datetime(),
  })
  .openapi('Database');

export const DatabaseResponse = z.object({ database: Database }).openapi('DatabaseResponse');
export const DatabaseList = z.object({ databases: z.array(Database), total: z.number().int() }).openapi('DatabaseList');
export const DatabaseUserResponse = z.object({ user: DatabaseUser }).openapi('DatabaseUserResponse');

export const IssueCertificateBody = z
  .strictObject({
    domain: Domain.openapi({ description: 'A domain the panel hosts (an active site)' }),
    email: z.string().trim().max(254).email('must be an email address').openapi({ example: 'admin@example.com', description: "The ACME account's contact" }),
  })
  .openapi('IssueCertificateRequest');

export const RenewCertificatesBody = z
  .strictObject({
    all: z.boolean().default(false).openapi({ description: 'Renew every installed certificate, not only those expiring within the renewal window (30 days by default)' }),
  })
  .openapi('RenewCertificatesRequest', { description: 'Optional: no body renews what is due' });

export const Certificate = z
  .object({
    id: z.string(),
    site_id: z.string(),
    domain: z.string(),
    status: z.enum(['issuing', 'active', 'failed']).openapi({ description: "The newest order's state; a failed renewal leaves the previous certificate in use" }),
    serial: z.string().nullable(),
    subject: z.string().nullable(),
    issuer: z.string().nullable(),
    not_before: z.string().datetime().nullable(),
    not_after: z.string().datetime().nullable(),
    error: z.string().nullable(),
    job_id: z.string().nullable(),
    updated_at: z.string().datetime(),
  })
  .openapi('Certificate');

export const CertificateAccepted = z.object({ certificate: Certificate, job_id: z.string() }).openapi('CertificateAccepted');
export const RenewalAccepted = z
  .object({ job_id: z.string().openapi({ description: 'The renewal job: one step per certificate renewed, each with its own job' }) })
  .openapi('RenewalAccepted');

export const RestoreBackupBody = z
  .strictObject({
    file: z.string().min(1).max(4096).openapi({
      example: '/var/backups/nusantara-panel/nusantara_state_20260226_230101.json',
      description: 'A state file directly inside the backup directory (GET /v1/backup/list names them)',
    }),
  })
  .openapi('RestoreBackupRequest');

export const BackupAccepted = z
  .object({ job_id: z.string().openapi({ description: 'The backup or restore job: its steps say what was written, restored or skipped' }) })
  .openapi('BackupAccepted');

export const Backup = z
  .object({
    file: z.string(),
    created_at: z.string().datetime(),
    bytes: z.number().int().openapi({ description: 'The state file and its artifacts' }),
    sites: z.number().int(),
    databases: z.number().int(),
    complete: z.boolean().openapi({ description: 'Every artifact the state file lists is present with its recorded size' }),
  })
  .openapi('Backup');
export const BackupList = z.object({ backups: z.array(Backup), directory: z.string() }).openapi('BackupList');

const PANEL_ROLES = ['admin', 'viewer'] as const;
const PanelPassword = z.string().min(1).max(256).openapi({
  description:
    '12+ characters mixing three of lowercase, uppercase, digits, symbols; not containing the username',
});

export const PanelUserIdParams = IdParam('user_id', 'usr');
export const ListPanelUsersQuery = z.strictObject({ limit: Limit, offset: Offset });

export const CreatePanelUserBody = z
  .strictObject({
    username: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,63}$/,
        'must be 1–64 characters: lowercase letters, digits, ., _ or -, starting with a letter or digit',
      )
      .openapi({ example: 'operator' }),
    password: PanelPassword,
    role: z
      .enum(PANEL_ROLES, {
        error: (issue) =>
          issue.input === undefined ? 'is required' : `must be one of: ${PANEL_ROLES.join(', ')}`,
      })
      .openapi({ description: 'admin: everything; viewer: the auth endpoints only' }),
  })
  .openapi('CreatePanelUserRequest');

export const ResetPanelPasswordBody = z
  .strictObject({ password: PanelPassword })
  .openapi('ResetPanelPasswordRequest');

export const PanelUser = User.extend({
  created_at: z.string().datetime(),
  password_changed_at: z.string().datetime().nullable(),
}).openapi('PanelUser');
export const PanelUserResponse = z.object({ user: PanelUser }).openapi('PanelUserResponse');
export const PanelUserList = z
  .object({ users: z.array(PanelUser), total: z.number().int() })
  .openapi('PanelUserList');
export const PasswordReset = z
  .object({ message: z.string(), revoked_sessions: z.number().int() })
  .openapi('PasswordReset');
