import { z } from 'zod';
import {
  EPHEMERAL_RANGE_FILE,
  ephemeralPortRange,
  type ProductSettings,
  seconds,
} from '../../../core/settings';

/** gpu-lab's settings (GPULAB_*). */
export const gpuLabSettings = z.object({
  /** gpu-lab: the address containers' SSH and Jupyter ports are published on, and the user SSH logs in as. */
  GPULAB_BIND_ADDRESS: z.union([z.ipv4(), z.ipv6()]).default('0.0.0.0'),
  GPULAB_SSH_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/)
    .default('lab'),
  /** gpu-lab tokens: HS256 secret for access JWTs (unset: derived from DERMAGA_SECRET_KEY), and lifetimes. */
  GPULAB_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  GPULAB_ACCESS_TOKEN_TTL_SECONDS: seconds.default(15 * 60),
  GPULAB_REFRESH_TOKEN_TTL_SECONDS: seconds.default(30 * 24 * 3600),
  /** The first gpu-lab admin, created on a fresh database (a generated password is printed once when unset). */
  GPULAB_ADMIN_EMAIL: z.string().email().default('admin@gpu-lab.local'),
  GPULAB_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
  GPULAB_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** Failed logins per IP across all accounts in the window (each account has the limit above). */
  GPULAB_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  GPULAB_LOGIN_WINDOW_SECONDS: seconds.default(300),
  /** gpu-lab containers: the admin-approved images, the hosts that run them, the port pool, and the address researchers reach. */
  GPULAB_IMAGES: z
    .string()
    .default('nvcr.io/nvidia/pytorch:24.05-py3')
    .transform((s) =>
      s
        .split(',')
        .map((i) => i.trim())
        .filter(Boolean),
    ),
  GPULAB_HOSTS: z
    .string()
    .optional()
    .transform((s) =>
      s
        ? s
            .split(',')
            .map((h) => h.trim())
            .filter(Boolean)
        : null,
    ),
  /**
   * Host ports handed to containers' SSH and Jupyter. It may not overlap this machine's ephemeral
   * port range (outgoing connections take those at random, and a create would then fail to bind).
   */
  GPULAB_PORT_RANGE: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, 'must be from-to, e.g. 20000-29999')
    .default('20000-29999')
    .transform((s, ctx) => {
      const [from, to] = s.split('-').map(Number);
      if (from < 1 || to > 65535 || from > to) {
        ctx.addIssue({ code: 'custom', message: `${s} must be from-to with 1 <= from <= to <= 65535` });
        return z.NEVER;
      }
      const ephemeral = ephemeralPortRange();
      if (ephemeral && from <= ephemeral.to && to >= ephemeral.from) {
        ctx.addIssue({
          code: 'custom',
          message:
            `${s} overlaps the kernel's ephemeral port range ${ephemeral.from}-${ephemeral.to} ` +
            `(${EPHEMERAL_RANGE_FILE}), which outgoing connections take ports from; ` +
            `choose a range outside it (e.g. 20000-29999) or narrow net.ipv4.ip_local_port_range`,
        });
        return z.NEVER;
      }
      return { from, to };
    }),
  /** How long a port a container failed to bind (another process holds it) is not handed out again. */
  GPULAB_PORT_QUARANTINE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Deadline of asking a host which of the range's ports are in use, before a create reserves. */
  GPULAB_PORT_CHECK_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(5),
  GPULAB_PUBLIC_HOST: z.string().default('localhost'),
  /**
   * Hosts' CPUs and memory containers may reserve, `host=cpus:memoryMb` comma-separated; a host
   * not listed has what its Docker engine reports (NCPU, MemTotal), asked of its worker on create.
   */
  GPULAB_HOST_CAPACITY: z
    .string()
    .regex(
      /^$|^[a-z0-9][a-z0-9-]{0,63}=\d+(\.\d+)?:\d+(,[a-z0-9][a-z0-9-]{0,63}=\d+(\.\d+)?:\d+)*$/,
      'must be host=cpus:memoryMb, comma-separated',
    )
    .default('')
    .transform(
      (s) =>
        Object.fromEntries(
          s
            .split(',')
            .filter(Boolean)
            .map((entry) => {
              const [host, cpus, memoryMb] = entry.split(/[=:]/);
              return [host, { cpus: Number(cpus), memoryMb: Number(memoryMb) }];
            }),
        ) as Record<string, { cpus: number; memoryMb: number }>,
    ),
  /** Open price quotes (generate-harga) one researcher may hold at once. */
  GPULAB_MAX_OPEN_QUOTES: z.coerce.number().int().min(1).default(3),
  /** A paid container's lease: the researcher is warned this long before the end, and its workspace kept this long after. */
  GPULAB_LEASE_WARN_HOURS: z.coerce.number().min(0).default(24),
  GPULAB_LEASE_GRACE_DAYS: z.coerce.number().min(0).default(3),
  /** A JSON array run instead of the image's own command (unset: the image's). */
  GPULAB_CONTAINER_CMD: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      try {
        const v = JSON.parse(s);
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of strings' });
      return z.NEVER;
    }),
  /** The nvidia-smi a GPU host's worker runs (GET /gpu/discover, mig, topology). */
  GPULAB_NVIDIA_SMI: z.string().min(1).default('nvidia-smi'),
  /** How long a stopping container gets after SIGTERM before it is killed. */
  GPULAB_STOP_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
}) satisfies ProductSettings;

export type GpuLabSettings = z.output<typeof gpuLabSettings>;
