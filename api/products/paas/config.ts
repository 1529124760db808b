import { z } from 'zod';
import { type ProductSettings, seconds } from '../../../core/settings';
import { paasDeploySettings } from './deploy-config';

/** paas's settings (PAAS_*). */
export const paasSettings = z
  .object({
    /** paas tokens: HS256 secret for access JWTs (unset: derived from DERMAGA_SECRET_KEY), and lifetimes. */
    PAAS_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PAAS_ACCESS_TOKEN_TTL_SECONDS: seconds.default(3600),
    PAAS_REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 24 * 3600),
    /** The first paas admin, created on a fresh database (a generated password is printed once when unset). */
    PAAS_ADMIN_USERNAME: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,50}$/, 'must be 3-50 letters, digits, _ . -')
      .default('admin'),
    PAAS_ADMIN_EMAIL: z.string().email().default('admin@paas.local'),
    PAAS_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
    PAAS_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
    /** Failed logins per IP across all accounts in the window (each account has the limit above). */
    PAAS_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
    PAAS_LOGIN_WINDOW_SECONDS: seconds.default(300),
    /** Services a tenant may have unless its row says otherwise (paas.tenants.max_services). */
    PAAS_MAX_SERVICES_PER_TENANT: z.coerce.number().int().min(0).max(10_000).default(5),
    /**
     * Images a service may name: comma-separated patterns where `*` matches any run of characters
     * (e.g. `postgres:*,docker.io/library/*,registry.local/*`). Unset: any image.
     */
    PAAS_IMAGE_ALLOWLIST: z
      .string()
      .optional()
      .transform((s) =>
        s
          ? s
              .split(',')
              .map((p) => p.trim())
              .filter(Boolean)
          : null,
      ),
    /**
     * The most one service may ask for when no host capacity is known to the API: cpu in MHz,
     * memory in MB (a service beyond the largest host could never be placed).
     */
    PAAS_MAX_SERVICE_CPU_MHZ: z.coerce.number().int().positive().default(16_000),
    PAAS_MAX_SERVICE_MEMORY_MB: z.coerce.number().int().positive().default(32_768),
  })
  // Where services run and the deadlines of their deployments' steps (deploy-config.ts).
  .extend(paasDeploySettings.shape) satisfies ProductSettings;

export type PaasSettings = z.output<typeof paasSettings>;
