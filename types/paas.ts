// Rule: a product's row shapes and workflow input/output types live here, in types/<product>.ts: type
// declarations only (no runtime code), imported by workflows, activities and api alike.

export type PaasRole = 'user' | 'tenant_admin' | 'admin';

export type ServiceStatus = 'stopped' | 'deploying' | 'running' | 'stopping' | 'failed' | 'deleting';

export type DeploymentStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'stopped' | 'superseded';

/** Nomad's units, as paas.md shows them: cpu in MHz, memory and disk in MB. */
export interface ServiceResources {
  cpu: number;
  memory: number;
  disk: number;
}

/** A service's (or a template's) config: what paas.md shows under `config`. */
export interface ServiceConfig {
  image: string;
  /** Container ports the service listens on (1–65535), each published on its host. */
  ports: number[];
  /** Filled values on a service; `{{VAR}}` placeholders on a template. */
  environment: Record<string, string>;
  resources: ServiceResources;
  nomad_job_file?: string;
  /** The values that filled a template's placeholders (passwords among them are kept in environment). */
  custom_variables?: Record<string, string>;
}

/** How a deployment knows its container is healthy; null/absent: the first port accepts connections. */
export type HealthCheck = { type: 'tcp'; port: number } | { type: 'command'; command: string[] };

/** A template placeholder: a secret one not given is generated; another takes its default or is required. */
export interface TemplateVariable {
  description: string;
  default?: string;
  secret?: boolean;
}

export interface TenantRow {
  id: string;
  name: string;
  /** null: PAAS_MAX_SERVICES_PER_TENANT. */
  max_services: number | null;
  created_at: Date;
}

export interface UserRow {
  id: string;
  tenant_id: string;
  username: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  role: PaasRole;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface RefreshTokenRow {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export interface TemplateRow {
  id: string;
  name: string;
  type: string;
  description: string;
  icon: string;
  category: string;
  tags: string[];
  config: ServiceConfig;
  health_check: HealthCheck | null;
  variables: Record<string, TemplateVariable>;
  is_public: boolean;
  created_at: Date;
}

export interface ServiceRow {
  id: string;
  tenant_id: string;
  created_by: string;
  template_id: string | null;
  name: string;
  type: string;
  description: string;
  /** Filled: environment holds real values (passwords too); views mask the secret keys. */
  config: ServiceConfig;
  /** Which environment keys hold passwords, and whether the platform generated them. */
  secrets: Record<string, 'generated' | 'given'>;
  health_check: HealthCheck | null;
  status: ServiceStatus;
  /** The host its running deployment is on (null when none runs). */
  host_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeploymentRow {
  id: string;
  service_id: string;
  status: DeploymentStatus;
  /** `tenant-<type>-<unix time>`. */
  nomad_job_id: string;
  deployed_by: string | null;
  host_id: string | null;
  container_id: string | null;
  network: string | null;
  volume: string | null;
  /** The service's config as this deployment runs it (a snapshot: later edits do not change it). */
  config: ServiceConfig;
  /** Container port → the host port the engine published it on (set once the container exists). */
  ports: Record<string, number> | null;
  error: string | null;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: Date;
}
