import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumberParam } from '../../../http/whole-number';
import { ok } from '../envelope';
import { ContainerName } from './common';

export const CreateContainerBody = z
  .strictObject({
    paymentId: z
      .string()
      .regex(/^pay_[a-z0-9]{10,40}$/, 'must be a pay_ id')
      .optional()
      .openapi({
        description:
          "An approved payment: the container gets its package's resources and a lease of its duration",
      }),
    userId: z
      .string()
      .regex(/^usr_[a-z0-9]{10,40}$/, 'must be a usr_ id')
      .optional()
      .openapi({ description: 'Without a payment: whose container it is' }),
    image: z
      .string()
      .min(1)
      .max(255)
      .openapi({ description: 'One of the admin-approved images (GET /docker/search/{imageName})' }),
    name: ContainerName.optional(),
    cpus: z.number().min(0.1).max(256).optional().openapi({ example: 8 }),
    memoryMb: z
      .number()
      .int()
      .min(64)
      .max(4 * 1024 * 1024)
      .optional()
      .openapi({ example: 65536 }),
    gpuCount: z.number().int().min(0).max(16).optional(),
    gpuKind: z.string().trim().min(1).max(64).optional().openapi({
      description: 'Without a payment: which kind of device (GET /gpu); any available one when absent',
    }),
  })
  .superRefine((b, ctx) => {
    if (b.paymentId) {
      for (const f of ['userId', 'cpus', 'memoryMb', 'gpuCount', 'gpuKind'] as const)
        if (b[f] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [f],
            message: "comes from the payment's package; leave it out",
          });
    } else {
      for (const f of ['userId', 'cpus', 'memoryMb'] as const)
        if (b[f] === undefined)
          ctx.addIssue({ code: 'custom', path: [f], message: 'is required without a paymentId' });
    }
  })
  .openapi('CreateContainerRequest');

export const ListContainersQuery = z.strictObject({
  userId: z.string().optional(),
  hostId: z.string().optional(),
  status: z.enum(['creating', 'running', 'stopped', 'failed', 'removing']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
export const LogsQuery = z.strictObject({
  tail: z.coerce.number().int().min(1).max(5000).default(200),
  since: z.string().datetime().optional(),
});
export const BatchStatsQuery = z.strictObject({
  budgetMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
});
export const ResetBody = z
  .strictObject({ wipeWorkspace: z.boolean().default(false) })
  .openapi('ResetContainerRequest');
export const SshPasswordBody = z
  .strictObject({
    password: z
      .string()
      .min(12, 'must be at least 12 characters')
      .max(128)
      .regex(/^[^:\n\r]+$/, 'may not contain : or a line break'),
  })
  .openapi('ChangeSshPasswordRequest');

export const Container = z
  .object({
    id: z.string(),
    name: z.string(),
    userId: z.string(),
    hostId: z.string(),
    image: z.string(),
    cpus: z.number(),
    memoryMb: z.number(),
    gpus: z.array(z.string()),
    sshPort: z.number(),
    jupyterPort: z.number(),
    status: z.string(),
    error: z.string().nullable(),
    jobId: z.string().nullable(),
    leaseEndsAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Container');
export const ContainerCreated = ok(
  z.object({
    container: Container,
    jobId: z.string(),
    ssh: z.object({
      host: z.string(),
      port: z.number(),
      username: z.string(),
      password: z.string().openapi({ description: 'Shown once' }),
    }),
  }),
).openapi('ContainerCreated');
const LeaseEvent = z
  .object({
    kind: z.enum(['started', 'warned', 'expired', 'extended', 'resumed']).openapi({
      description: 'warned: the paid period ends soon; expired: stopped, workspace kept for the grace period',
    }),
    at: z.string(),
    endsAt: z.string().nullable().openapi({ description: 'The paid period end at that moment' }),
  })
  .openapi('LeaseEvent');
export const JobIdParams = z.strictObject({
  jobId: z.string().regex(/^job_[a-z0-9]{10,40}$/, 'must be a job_ id'),
});
export const LabJob = z
  .object({
    id: z.string(),
    type: z.string().openapi({ example: 'container.restart' }),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    containerId: z.string().nullable(),
    steps: z.array(
      z.object({
        name: z.string().openapi({ example: 'start container' }),
        status: z.enum(['running', 'succeeded', 'failed']),
        startedAt: z.string(),
        finishedAt: z.string().nullable(),
      }),
    ),
    error: z.string().nullable().openapi({ description: 'Why it failed' }),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .openapi('LabJob');
export const JobDetailAnswer = ok(z.object({ job: LabJob })).openapi('JobDetailAnswer');
export const ContainerAnswer = ok(
  z.object({
    container: Container,
    lastJob: LabJob.nullable().openapi({ description: 'Its newest job (create, restart, password change…)' }),
    leaseEvents: z.array(LeaseEvent).openapi({ description: 'What its lease did, newest first (up to 20)' }),
  }),
).openapi('ContainerAnswer');
export const ContainerList = ok(
  z.object({ containers: z.array(Container), total: z.number().int().optional() }),
).openapi('ContainerList');
export const JobAnswer = ok(z.object({ jobId: z.string() })).openapi('JobAnswer');
export const ResetAnswer = ok(
  z.object({ jobId: z.string(), ssh: z.object({ username: z.string(), password: z.string() }) }),
).openapi('ResetAnswer');
export const LogsAnswer = ok(z.object({ logs: z.string() })).openapi('LogsAnswer');
export const StatsAnswer = ok(z.object({ stats: z.unknown() })).openapi('StatsAnswer');
export const JupyterAnswer = ok(z.object({ url: z.string() })).openapi('JupyterAnswer');

export const ImageSearchParams = z.strictObject({
  imageName: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._/:@-]+$/, 'may contain letters, digits and . _ / : @ -'),
});
export const ImageSearchAnswer = ok(
  z.object({
    approved: z
      .array(z.string())
      .openapi({ description: 'Approved images matching: what createContainer accepts' }),
    hosts: z.array(
      z.object({
        hostId: z.string(),
        images: z
          .array(z.string())
          .nullable()
          .openapi({ description: 'Tags present on the host matching; null when the host did not answer' }),
      }),
    ),
  }),
).openapi('ImageSearchAnswer');

export { ContainerNameParams } from './common';
