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
