import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumber, wholeNumberParam } from '../../../http/whole-number';
import { Uuid } from './common';
import { Resources } from './templates';

/** Docker's rule for a container name ([a-zA-Z0-9][a-zA-Z0-9_.-]+), at most 63 characters. */
export const ServiceName = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,62}$/,
    'must be 2-63 letters, digits, _ . - starting with a letter or digit',
  )
  .openapi({ example: 'my-postgres-db' });

/** A template's type (GET /templates): one service per type per tenant. It names the runtime job. */
export const ServiceType = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'must be 1-31 lowercase letters, digits, - (a type of GET /templates)')
  .openapi({ example: 'postgresql' });

/** A Docker image reference: [registry[:port]/]name[:tag][@sha256:digest], lowercase name. */
export const Image = z
  .string()
  .max(255, 'must be at most 255 characters')
  .regex(
    /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    'must be a Docker image reference such as postgres:16 or registry.example.com/team/app:1.2',
  )
  .openapi({ example: 'postgres:16' });

export const Port = wholeNumber('integer').min(1, 'must be 1-65535').max(65535, 'must be 1-65535');

/** A POSIX environment name: Docker refuses an empty key or one with `=`; a shell cannot read others. */
const EnvKey = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment keys must be letters, digits, _ (not first a digit)');
const VarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'variable names must be letters, digits, _ (not first a digit)');

const EnvValue = z.string().max(32_768, 'must be at most 32768 characters');

const ResourcesInput = z.strictObject({
  cpu: wholeNumber('integer').min(1, 'must be greater than 0').optional().openapi({ description: 'MHz' }),
  memory: wholeNumber('integer')
    .min(6, 'must be at least 6 MB (Docker refuses less)')
    .optional()
    .openapi({ description: 'MB' }),
  disk: wholeNumber('integer').min(1, 'must be greater than 0').optional().openapi({ description: 'MB' }),
});

export const ConfigInput = z
  .strictObject({
    image: Image.optional(),
    ports: z
      .array(Port)
      .min(1, 'must list at least one port')
      .max(16, 'must list at most 16 ports')
      .refine((ports) => new Set(ports).size === ports.length, 'must not repeat a port')
      .optional(),
    environment: z
      .record(EnvKey, EnvValue)
      .refine((env) => Object.keys(env).length <= 200, 'must have at most 200 keys')
      .optional(),
    resources: ResourcesInput.optional(),
    nomad_job_file: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,255}$/, 'must be a file name (letters, digits, _ . -)')
      .optional(),
    custom_variables: z
      .record(VarName, z.string().max(4096, 'must be at most 4096 characters'))
      .refine((v) => Object.keys(v).length <= 100, 'must have at most 100 variables')
      .optional()
      .openapi({ description: 'Values for the {{VAR}} placeholders of the environment' }),
  })
  .openapi('ServiceConfigInput');

const Description = z.string().max(1000, 'must be at most 1000 characters');

export const CreateBody = z
  .strictObject({
    name: ServiceName,
    type: ServiceType.optional().openapi({
      description: "Required without template_id; else the template's",
    }),
    description: Description.default(''),
    template_id: Uuid.optional().openapi({
      description: 'Build on this template (GET /templates): config fills in what is not given',
    }),
    config: ConfigInput.default({}),
  })
  .openapi('CreateServiceRequest');

export const UpdateBody = z
  .strictObject({
    name: ServiceName.optional(),
    type: ServiceType.optional().openapi({ description: 'Cannot change: must be the current type if given' }),
    description: Description.optional(),
    config: ConfigInput.optional(),
  })
  .openapi('UpdateServiceRequest');

export const ListQuery = z.strictObject({
  limit: wholeNumberParam('integer')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(100),
  offset: wholeNumberParam('integer').min(0, 'must be at least 0').default(0),
});

const Config = z
  .object({
    image: z.string(),
    ports: z.array(z.number().int()),
    environment: z.record(z.string(), z.string()),
    resources: Resources,
    nomad_job_file: z.string().optional(),
    custom_variables: z.record(z.string(), z.string()).optional(),
  })
  .openapi('ServiceConfig');

const Status = z.enum(['stopped', 'deploying', 'running', 'stopping', 'failed', 'deleting']);

export const ServiceDetail = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    status: Status,
    description: z.string(),
    config: Config,
    template_id: z.string().nullable(),
    tenant_id: z.string(),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Service');

export const DeploymentSummary = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'in_progress', 'completed', 'failed', 'stopped', 'superseded']),
    nomad_job_id: z.string(),
    /** Additive: container port → the host port the engine published it on (null until the container exists). */
    published_ports: z.record(z.string(), z.number().int()).nullable(),
    error: z.string().nullable(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
  })
  .openapi('DeploymentSummary');

export const ServiceList = z
  .object({
    services: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        type: z.string(),
        status: Status,
        description: z.string(),
        tenant_id: z.string(),
        created_by: z.string(),
        created_at: z.string(),
        updated_at: z.string(),
        deployments: z.array(DeploymentSummary),
      }),
    ),
    total: z.number().int(),
  })
  .openapi('ServiceList');

export const UpdatedService = ServiceDetail.omit({ created_at: true }).openapi('UpdatedService');
