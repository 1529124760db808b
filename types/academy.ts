// Rule: a product's workflow input/output and signal/update payload types live here, in types/<product>.ts: type declarations only (no runtime code), imported by workflows, activities and api alike, so activities never import from workflows/.

/**
 * academy reaches its tables with knex; its rows are typed as these plain interfaces, one per
 * table. Columns as pg returns them: integer ids as number, bigint as string, timestamptz as Date.
 * The API answers camelCase (academy.md): each area's `*View` maps a row to it.
 */

export type AcademyRole = 'Admin' | 'User';
export type MemberLevel = 'Basic' | 'Premium';
export type ProgramStatus = 'active' | 'inactive' | 'archived';

export interface AcademyUserRow {
  id: number;
  full_name: string;
  email: string;
  password_hash: string;
  role: AcademyRole;
  member_level: MemberLevel;
  is_active: boolean;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SessionRow {
  /** bigint */
  id: string;
  user_id: number;
  token_hash: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Date;
}

export interface PasswordResetRow {
  /** bigint */
  id: string;
  user_id: number;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
}

export interface ProgramRow {
  id: number;
  title: string;
  description: string;
  /** bigint, whole rupiah */
  price_idr: string;
  status: ProgramStatus;
  created_at: Date;
  updated_at: Date;
}

export interface ModuleRow {
  id: number;
  program_id: number;
  title: string;
  description: string;
  content: string;
  position: number;
  created_at: Date;
  updated_at: Date;
}
