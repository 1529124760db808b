import { z } from 'zod';
import '../../http/route';
import { wholeNumber, wholeNumberParam } from '../../http/whole-number';
import { ok } from './envelope';

const Email = z.string().trim().toLowerCase().max(254).email('must be an email address').openapi({ example: 'peneliti@kampus.ac.id' });
const Password = z.string().min(1, 'is required').max(256);

export const RegisterBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100).openapi({ example: 'Siti Rahma' }),
    email: Email,
    password: Password.openapi({ description: '12+ characters mixing three of lowercase, uppercase, digits, symbols' }),
  })
  .openapi('RegisterRequest');

export const LoginBody = z.strictObject({ email: Email, password: Password }).openapi('LoginRequest');
export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1, 'is required').max(200) }).openapi('RefreshTokenRequest');

export const LabUser = z
  .object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(['researcher', 'admin']), createdAt: z.string().datetime() })
  .openapi('LabUser');

export const Tokens = z
  .object({
    accessToken: z.string().openapi({ description: 'JWT (HS256); send as `Authorization: Bearer …`' }),
    refreshToken: z.string().openapi({ description: 'Single use: POST /auth/refreshToken exchanges it for a new pair' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds the access token lives' }),
    user: LabUser,
  })
  .openapi('Tokens');

export const UserAnswer = ok(z.object({ user: LabUser })).openapi('UserAnswer');
export const TokensAnswer = ok(Tokens).openapi('TokensAnswer');
export const RevokedAnswer = ok(z.object({ revoked: z.number().int() })).openapi('RevokedAnswer');

const ContainerName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'must be letters, digits, _ . - (not first), at most 128');
export const ContainerNameParams = z.strictObject({ containerName: ContainerName });

export const CreateContainerBody = z
  .strictObject({
    paymentId: z.string().regex(/^pay_[a-z0-9]{10,40}$/, 'must be a pay_ id').optional().openapi({ description: "An approved payment: the container gets its package's resources and a lease of its duration" }),
    userId: z.string().regex(/^usr_[a-z0-9]{10,40}$/, 'must be a usr_ id').optional().openapi({ description: 'Without a payment: whose container it is' }),
    image: z.string().min(1).max(255).openapi({ description: 'One of the admin-approved images (GET /docker/search/{imageName})' }),
    name: ContainerName.optional(),
    cpus: z.number().min(0.1).max(256).optional().openapi({ example: 8 }),
    memoryMb: z.number().int().min(64).max(4 * 1024 * 1024).optional().openapi({ example: 65536 }),
    gpuCount: z.number().int().min(0).max(16).optional(),
    gpuKind: z.string().trim().min(1).max(64).optional().openapi({ description: 'Without a payment: which kind of device (GET /gpu); any available one when absent' }),
  })
  .superRefine((b, ctx) => {
    if (b.paymentId) {
      for (const f of ['userId', 'cpus', 'memoryMb', 'gpuCount', 'gpuKind'] as const)
        if (b[f] !== undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'comes from the payment\'s package; leave it out' });
    } else {
      for (const f of ['userId', 'cpus', 'memoryMb'] as const) if (b[f] === undefined) ctx.addIssue({ code: 'custom', path: [f], message: 'is required without a paymentId' });
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
export const LogsQuery = z.strictObject({ tail: z.coerce.number().int().min(1).max(5000).default(200), since: z.string().datetime().optional() });
export const BatchStatsQuery = z.strictObject({ budgetMs: z.coerce.number().int().min(100).max(60_000).default(10_000) });
export const ResetBody = z.strictObject({ wipeWorkspace: z.boolean().default(false) }).openapi('ResetContainerRequest');
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
    id: z.string(), name: z.string(), userId: z.string(), hostId: z.string(), image: z.string(), cpus: z.number(), memoryMb: z.number(),
    gpus: z.array(z.string()), sshPort: z.number(), jupyterPort: z.number(), status: z.string(), error: z.string().nullable(),
    jobId: z.string().nullable(), leaseEndsAt: z.string().nullable(), createdAt: z.string(),
  })
  .openapi('Container');
export const ContainerCreated = ok(z.object({ container: Container, jobId: z.string(), ssh: z.object({ host: z.string(), port: z.number(), username: z.string(), password: z.string().openapi({ description: 'Shown once' }) }) })).openapi('ContainerCreated');
const LeaseEvent = z
  .object({
    kind: z.enum(['started', 'warned', 'expired', 'extended', 'resumed']).openapi({ description: 'warned: the paid period ends soon; expired: stopped, workspace kept for the grace period' }),
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
export const ContainerList = ok(z.object({ containers: z.array(Container), total: z.number().int().optional() })).openapi('ContainerList');
export const JobAnswer = ok(z.object({ jobId: z.string() })).openapi('JobAnswer');
export const ResetAnswer = ok(z.object({ jobId: z.string(), ssh: z.object({ username: z.string(), password: z.string() }) })).openapi('ResetAnswer');
export const LogsAnswer = ok(z.object({ logs: z.string() })).openapi('LogsAnswer');
export const StatsAnswer = ok(z.object({ stats: z.unknown() })).openapi('StatsAnswer');
export const JupyterAnswer = ok(z.object({ url: z.string() })).openapi('JupyterAnswer');

export const ImageSearchParams = z.strictObject({ imageName: z.string().min(1).max(128).regex(/^[A-Za-z0-9._/:@-]+$/, 'may contain letters, digits and . _ / : @ -') });
export const ImageSearchAnswer = ok(
  z.object({
    approved: z.array(z.string()).openapi({ description: 'Approved images matching: what createContainer accepts' }),
    hosts: z.array(z.object({ hostId: z.string(), images: z.array(z.string()).nullable().openapi({ description: 'Tags present on the host matching; null when the host did not answer' }) })),
  }),
).openapi('ImageSearchAnswer');

export const UserIdParams = z.strictObject({ id: z.string().regex(/^usr_[a-z0-9]{10,40}$/, 'must be a usr_ id') });
export const ListUsersQuery = z.strictObject({
  search: z.string().trim().max(100).optional().openapi({ description: 'Part of a name or email' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
export const UpdateUserBody = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), email: Email.optional(), role: z.enum(['researcher', 'admin']).optional() })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of name, email, role')
  .openapi('UpdateUserRequest');
export const UserList = ok(z.object({ users: z.array(LabUser), total: z.number().int() })).openapi('UserList');
export const Dropdown = ok(z.object({ users: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })) })).openapi('UserDropdown');
export const Deleted = ok(z.object({ deleted: z.string() })).openapi('Deleted');

const TicketStatus = z.enum(['open', 'in_progress', 'resolved', 'closed']);
export const OpenTicketBody = z
  .strictObject({ subject: z.string().trim().min(1, 'is required').max(200), description: z.string().trim().min(1, 'is required').max(5000) })
  .openapi('OpenTicketRequest');
export const UpdateTicketBody = z
  .strictObject({ status: TicketStatus, adminNote: z.string().trim().max(5000).optional() })
  .openapi('UpdateTicketRequest');
export const TicketIdParams = z.strictObject({ tiketId: z.string().regex(/^tkt_[a-z0-9]{10,40}$/, 'must be a tkt_ id') });
export const ListTicketsQuery = z.strictObject({ status: TicketStatus.optional(), limit: z.coerce.number().int().min(1).max(200).default(50), offset: wholeNumberParam('bigint').min(0).default(0) });
export const Ticket = z
  .object({ id: z.string(), userId: z.string(), containerName: z.string(), subject: z.string(), description: z.string(), status: TicketStatus, adminNote: z.string().nullable(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('Ticket');
export const TicketAnswer = ok(z.object({ ticket: Ticket })).openapi('TicketAnswer');
export const TicketList = ok(z.object({ tickets: z.array(Ticket), total: z.number().int().optional() })).openapi('TicketList');

export const CreatePackageBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100).openapi({ example: 'A100 80GB — 30 hari' }),
    gpuKind: z.string().trim().min(1).max(64).openapi({ example: 'A100-80GB', description: 'A GPU model or a MIG profile such as 1g.10gb' }),
    gpuCount: z.number().int().min(0).max(16),
    cpus: z.number().min(0.5).max(256),
    memoryGb: z.number().int().min(1).max(4096),
    diskGb: z.number().int().min(1).max(100_000),
    durationDays: z.number().int().min(1).max(366),
    priceIdr: z.number().int().min(10_000).max(1_000_000_000_000).openapi({ example: 1_500_000, description: 'Whole rupiah' }),
  })
  .openapi('CreatePackageRequest');
export const PaketIdParams = z.strictObject({ paketId: z.string().regex(/^pkt_[a-z0-9]{10,40}$/, 'must be a pkt_ id') });
export const PaymentIdParams = z.strictObject({ paymentId: z.string().regex(/^pay_[a-z0-9]{10,40}$/, 'must be a pay_ id') });
export const RecordPaymentBody = z
  .strictObject({
    paymentId: z.string().regex(/^pay_[a-z0-9]{10,40}$/, 'must be the pay_ id generate-harga answered'),
    amountIdr: wholeNumber('bigint').positive(),
    bankName: z.string().trim().min(1, 'is required').max(100),
    senderName: z.string().trim().min(1, 'is required').max(100),
    transferDate: z.string().date('must be a date (YYYY-MM-DD)'),
    proofUrl: z
      .string()
      .max(2048)
      .regex(/^https?:\/\//i, 'must be an http(s) URL of the transfer receipt')
      .url('must be an http(s) URL of the transfer receipt'),
    containerName: ContainerName.optional().openapi({ description: 'A container of yours this payment extends (its paid period); without it the payment is for a new container' }),
  })
  .openapi('RecordPaymentRequest');
export const DecidePaymentBody = z
  .strictObject({ status: z.enum(['approved', 'rejected']), reason: z.string().trim().min(1).max(1000).optional() })
  .openapi('DecidePaymentRequest');
export const ListPaymentsQuery = z.strictObject({
  status: z.enum(['quoted', 'pending', 'approved', 'rejected', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
const Paket = z.object({ id: z.string(), name: z.string(), gpuKind: z.string(), gpuCount: z.number(), cpus: z.number(), memoryGb: z.number(), diskGb: z.number(), durationDays: z.number(), priceIdr: z.number(), active: z.boolean() }).openapi('Paket');
const Payment = z
  .object({
    id: z.string(), userId: z.string(), paketId: z.string(), amountIdr: z.number(), status: z.string(), quoteExpiresAt: z.string(), bankName: z.string().nullable(),
    senderName: z.string().nullable(), transferDate: z.string().nullable(), proofUrl: z.string().nullable(), extendsContainerId: z.string().nullable(), leaseExtendedAt: z.string().nullable(), rejectReason: z.string().nullable(), decidedAt: z.string().nullable(), createdAt: z.string(),
  })
  .openapi('Payment');
export const PaketAnswer = ok(z.object({ paket: Paket })).openapi('PaketAnswer');
export const PaketList = ok(z.object({ paket: z.array(Paket) })).openapi('PaketList');
export const PaketDeleted = ok(z.object({ deleted: z.string(), retired: z.boolean() })).openapi('PaketDeleted');
export const QuoteAnswer = ok(z.object({ paymentId: z.string(), paketId: z.string(), priceIdr: z.number(), amountIdr: z.number(), uniqueCode: z.number(), expiresAt: z.string() })).openapi('QuoteAnswer');
export const PaymentAnswer = ok(z.object({ payment: Payment })).openapi('PaymentAnswer');
export const PaymentList = ok(z.object({ payments: z.array(Payment), total: z.number().int().optional() })).openapi('PaymentList');
