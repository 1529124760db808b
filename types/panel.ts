// Rule: a product's workflow input/output and signal/update payload types live here, in types/<product>.ts: type declarations only (no runtime code), imported by workflows, activities and api alike, so activities never import from workflows/.

/** What the API hands the site workflows: everything they need, so they never read the database. */
export interface SiteWorkflowInput {
  siteId: string;
  jobId: string;
  domain: string;
  rootPath: string;
  runtime: 'static' | 'php' | 'proxy';
  /** For proxy sites: the local port of the app. */
  proxyPort?: number | null;
  /** For PHP sites: whether its PHP may start processes (absent: no). */
  phpAllowExec?: boolean;
  /** The site's installed certificate, when it has one (a site brought back by a restore). */
  certDir?: string | null;
  /** Task queue of the host that serves the site (dermaga-host-<hostId>). */
  hostQueue: string;
}

/** What an issue or renewal of one site's certificate needs, so the workflow never reads the database. */
export interface CertificateWorkflowInput {
  certId: string;
  jobId: string;
  siteId: string;
  domain: string;
  email: string;
  rootPath: string;
  runtime: 'static' | 'php' | 'proxy';
  proxyPort: number | null;
  /** The certificate nginx serves now, if any: what a failed order must leave in place. */
  previousCertDir: string | null;
  hostQueue: string;
}

/** The panel's state as a backup holds it: what `nusantara_state_*.json` says besides its artifacts. */
export interface PanelState {
  sites: {
    id: string;
    domain: string;
    root_path: string;
    runtime: 'static' | 'php' | 'proxy';
    proxy_port: number | null;
    php_allow_exec?: boolean;
    host_id: string;
    created_at: string;
  }[];
  /**
   * `password_hash`: the account's mysql_native_password hash in the file; sealed (core/secret-box)
   * wherever the state is a workflow's input or result, so Temporal's history never holds it.
   */
  databases: {
    id: string;
    name: string;
    users: { username: string; host: string; password_hash: string | null }[];
  }[];
  certificates: {
    site_id: string;
    domain: string;
    email: string;
    status: string;
    serial: string | null;
    issuer: string | null;
    not_before: string | null;
    not_after: string | null;
  }[];
}

/** One file beside the state file: a site's files or a database's dump, with its checksum. */
export interface Artifact {
  kind: 'site' | 'database';
  /** The site's domain or the database's name. */
  name: string;
  /** Relative to the backup directory. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface BackupFile {
  format: 'nusantara-panel-backup/1';
  created_at: string;
  state: PanelState;
  artifacts: Artifact[];
}

export interface RenewInput {
  /** The job the API created; absent when the daily Schedule starts the workflow (it makes its own). */
  jobId?: string;
  /** Renew every installed certificate, not only those near expiry. */
  all: boolean;
  actor: string;
}
