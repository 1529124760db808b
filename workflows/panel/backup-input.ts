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
