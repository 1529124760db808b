import { Model } from 'objection';

export type LabRole = 'researcher' | 'admin';

export class LabUser extends Model {
  static override tableName = 'gpu_lab.users';
  id!: string;
  email!: string;
  name!: string;
  password_hash!: string;
  role!: LabRole;
  created_at!: Date;
  updated_at!: Date;
}

export class RefreshToken extends Model {
  static override tableName = 'gpu_lab.refresh_tokens';
  id!: string;
  user_id!: string;
  family_id!: string;
  token_hash!: string;
  expires_at!: Date;
  used_at!: Date | null;
  revoked_at!: Date | null;
  created_at!: Date;
}

/*
 * gpu-lab reaches its tables through these objection models: a query may use the model
 * (`LabUser.query(db)`) or knex on the same table, but a row is always typed as its model here,
 * never `any`. Numeric and bigint columns come back from pg as strings.
 */

export class Package extends Model {
  static override tableName = 'gpu_lab.packages';
  id!: string;
  name!: string;
  gpu_kind!: string;
  gpu_count!: number;
  /** decimal(6, 2) */
  cpus!: string;
  memory_gb!: number;
  disk_gb!: number;
  duration_days!: number;
  /** bigint */
  price_idr!: string;
  active!: boolean;
  created_at!: Date;
}

export type PaymentStatus = 'quoted' | 'pending' | 'approved' | 'rejected' | 'expired';

export class Payment extends Model {
  static override tableName = 'gpu_lab.payments';
  id!: string;
  user_id!: string;
  package_id!: string;
  /** bigint */
  amount_idr!: string;
  status!: PaymentStatus;
  quote_expires_at!: Date;
  bank_name!: string | null;
  sender_name!: string | null;
  transfer_date!: Date | null;
  proof_url!: string | null;
  reject_reason!: string | null;
  decided_by!: string | null;
  decided_at!: Date | null;
  container_id!: string | null;
  extends_container_id!: string | null;
  lease_extended_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
}

export class Gpu extends Model {
  static override tableName = 'gpu_lab.gpus';
  id!: string;
  host_id!: string;
  gpu_index!: number;
  uuid!: string;
  kind!: string;
  model!: string;
  memory_mb!: number;
  mig_enabled!: boolean;
  status!: string;
  created_at!: Date;
  updated_at!: Date;
}

export type TicketStatus = 'open' | 'in_progress' | 'resolved' | 'closed';

export class Ticket extends Model {
  static override tableName = 'gpu_lab.tickets';
  id!: string;
  user_id!: string;
  container_name!: string;
  subject!: string;
  description!: string;
  status!: TicketStatus;
  admin_note!: string | null;
  created_at!: Date;
  updated_at!: Date;
}
