import { Model, UniqueViolationError } from 'objection';
import type {
  DeploymentRow,
  DeploymentStatus,
  HealthCheck,
  PaasRole,
  ServiceConfig,
  ServiceStatus,
  TemplateVariable,
} from '../../../types/paas';

/*
 * paas reaches its tables through these objection models (or knex on the same table); a row is
 * always typed as its model here, never `any`. jsonb columns come back parsed.
 */

export class Tenant extends Model {
  static override tableName = 'paas.tenants';
  id!: string;
  name!: string;
  max_services!: number | null;
  created_at!: Date;
}

export class PaasUser extends Model {
  static override tableName = 'paas.users';
  id!: string;
  tenant_id!: string;
  username!: string;
  email!: string;
  password_hash!: string;
  first_name!: string;
  last_name!: string;
  role!: PaasRole;
  is_active!: boolean;
  created_at!: Date;
  updated_at!: Date;
}

export class RefreshToken extends Model {
  static override tableName = 'paas.refresh_tokens';
  id!: string;
  user_id!: string;
  family_id!: string;
  token_hash!: string;
  expires_at!: Date;
  used_at!: Date | null;
  revoked_at!: Date | null;
  created_at!: Date;
}

export class Template extends Model {
  static override tableName = 'paas.templates';
  static override jsonAttributes = ['tags', 'config', 'health_check', 'variables'];
  id!: string;
  name!: string;
  type!: string;
  description!: string;
  icon!: string;
  category!: string;
  tags!: string[];
  config!: ServiceConfig;
  health_check!: HealthCheck | null;
  variables!: Record<string, TemplateVariable>;
  is_public!: boolean;
  created_at!: Date;
}

export class Service extends Model {
  static override tableName = 'paas.services';
  static override jsonAttributes = ['config', 'secrets', 'health_check'];
  id!: string;
  tenant_id!: string;
  created_by!: string;
  template_id!: string | null;
  name!: string;
  type!: string;
  description!: string;
  config!: ServiceConfig;
  secrets!: Record<string, 'generated' | 'given'>;
  health_check!: HealthCheck | null;
  status!: ServiceStatus;
  host_id!: string | null;
  created_at!: Date;
  updated_at!: Date;
}

export class Deployment extends Model implements DeploymentRow {
  static override tableName = 'paas.deployments';
  static override jsonAttributes = ['config', 'ports'];
  id!: string;
  service_id!: string;
  status!: DeploymentStatus;
  nomad_job_id!: string;
  deployed_by!: string | null;
  host_id!: string | null;
  container_id!: string | null;
  network!: string | null;
  volume!: string | null;
  config!: ServiceConfig;
  ports!: Record<string, number> | null;
  error!: string | null;
  started_at!: Date | null;
  completed_at!: Date | null;
  created_at!: Date;
}

/**
 * The constraint a unique violation broke, or null for any other error: objection wraps the driver's
 * error (UniqueViolationError), knex does not (code 23505).
 */
export function brokenUnique(err: unknown): string | null {
  if (err instanceof UniqueViolationError) return err.constraint ?? '';
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' ? (e.constraint ?? '') : null;
}
