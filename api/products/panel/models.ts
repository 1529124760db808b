import { Model } from 'objection';

export type Role = 'admin' | 'viewer';
export type SiteStatus = 'provisioning' | 'active' | 'failed' | 'deleting';

export class User extends Model {
  static override tableName = 'panel.users';
  id!: string;
  username!: string;
  password_hash!: string;
  role!: Role;
  created_at!: Date;
  password_changed_at!: Date | null;
}

export class Session extends Model {
  static override tableName = 'panel.sessions';
  id!: string;
  user_id!: string;
  token_hash!: string;
  ip!: string | null;
  created_at!: Date;
  expires_at!: Date;
  revoked_at!: Date | null;
}

export class Site extends Model {
  static override tableName = 'panel.sites';
  id!: string;
  domain!: string;
  root_path!: string;
  runtime!: 'static' | 'php' | 'proxy';
  proxy_port!: number | null;
  php_allow_exec!: boolean;
  status!: SiteStatus;
  host_id!: string;
  error!: string | null;
  job_id!: string | null;
  created_at!: Date;
  updated_at!: Date;
}

/** A MariaDB database the panel created; the server holds the database itself. */
export class Database extends Model {
  static override tableName = 'panel.databases';
  id!: string;
  name!: string;
  created_at!: Date;
}

/** A MariaDB account (username@host) the panel created with privileges on one database. No password here. */
export class DatabaseUser extends Model {
  static override tableName = 'panel.database_users';
  id!: string;
  database_id!: string;
  username!: string;
  host!: string;
  created_at!: Date;
}

/** A site's TLS certificate: the installed one's metadata and the newest order's status. Key and chain stay on the host. */
export class Certificate extends Model {
  static override tableName = 'panel.certificates';
  id!: string;
  site_id!: string;
  domain!: string;
  email!: string;
  status!: 'issuing' | 'active' | 'failed';
  cert_dir!: string | null;
  serial!: string | null;
  subject!: string | null;
  issuer!: string | null;
  not_before!: Date | null;
  not_after!: Date | null;
  error!: string | null;
  job_id!: string | null;
  created_at!: Date;
  updated_at!: Date;
}
