import { z } from 'zod';
import '../../../http/route';
import { wholeNumberParam } from '../../../http/whole-number';
import { ok } from '../envelope';

const HostId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a host id: lowercase letters, digits and -');
const STATUSES = ['available', 'maintenance', 'offline'] as const;
const Status = z.enum(STATUSES, { error: () => `must be one of: ${STATUSES.join(', ')}` });
// Either case, without a flag: the pattern is served in the OpenAPI document, where flags do not exist.
const HEX = (n: number) => `[0-9a-fA-F]{${n}}`;
const UUID = new RegExp(`^([Gg][Pp][Uu]|[Mm][Ii][Gg])-${[8, 4, 4, 4, 12].map(HEX).join('-')}$`);

const fields = {
  hostId: HostId.openapi({
    example: 'gpu-1',
    description: "The host's HOST_ID (one of GPULAB_HOSTS): its worker runs the containers",
  }),
  index: z
    .number()
    .int()
    .min(0)
    .max(63)
    .openapi({ description: "nvidia-smi's index on that host (a MIG instance: its parent GPU's)" }),
  uuid: z
    .string()
    .trim()
    .regex(UUID, 'must be a GPU or MIG UUID such as GPU-7fdaf0a5-179b-f636-d15d-daf243e3ff16')
    .transform((s) => `${s.slice(0, 3).toUpperCase()}${s.slice(3).toLowerCase()}`),
  kind: z.string().trim().min(1).max(64).openapi({
    example: 'A100-80GB',
    description:
      'What packages ask for (their gpuKind): a model or a MIG profile such as 1g.10gb. Defaults to model',
  }),
  model: z.string().trim().min(1).max(100).openapi({ example: 'NVIDIA A100-SXM4-80GB' }),
  memoryMb: z.number().int().min(1).max(1_048_576).openapi({ example: 81920 }),
  migEnabled: z.boolean(),
  status: Status.openapi({ description: 'Only available devices are given to new containers' }),
};

export const CreateGpuBody = z
  .strictObject({
    ...fields,
    kind: fields.kind.optional(),
    migEnabled: fields.migEnabled.default(false),
    status: fields.status.default('available'),
  })
  .openapi('CreateGpuRequest');

export const UpdateGpuBody = z
  .strictObject(
    Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as {
      [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
    },
  )
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .openapi('UpdateGpuRequest');

export const GpuIdParams = z.strictObject({
  id: z.string().regex(/^gpu_[a-z0-9]{10,40}$/, 'must be a gpu_ id'),
});

export const ListGpusQuery = z.strictObject({
  hostId: HostId.optional(),
  kind: z.string().trim().max(64).optional(),
  status: z.enum([...STATUSES, 'in_use']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});

export const HostQuery = z.strictObject({
  hostId: HostId.optional().openapi({ description: "The host to ask; defaults to the API's own HOST_ID" }),
});

const Gpu = z
  .object({
    id: z.string(),
    hostId: z.string(),
    index: z.number().int(),
    uuid: z.string(),
    kind: z.string(),
    model: z.string(),
    memoryMb: z.number().int(),
    migEnabled: z.boolean(),
    status: z.enum([...STATUSES, 'in_use']),
    containerId: z.string().nullable().openapi({ description: 'The container holding it' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Gpu');
export const GpuAnswer = ok(z.object({ gpu: Gpu })).openapi('GpuAnswer');
export const GpuList = ok(z.object({ gpus: z.array(Gpu), total: z.number().int() })).openapi('GpuList');

const Probe = { hostId: z.string(), collectedAt: z.string().datetime() };
const DiscoveredGpu = z
  .object({
    index: z.number().int().nullable(),
    uuid: z.string().nullable(),
    name: z.string().nullable(),
    memoryTotalMB: z.number().nullable(),
    memoryUsedMB: z.number().nullable(),
    utilizationPercent: z.number().nullable(),
    temperatureC: z.number().nullable(),
    migMode: z.string().nullable(),
    driverVersion: z.string().nullable(),
    pciBusId: z.string().nullable(),
  })
  .openapi('DiscoveredGpu');
export const DiscoverAnswer = ok(z.object({ ...Probe, gpus: z.array(DiscoveredGpu) })).openapi(
  'DiscoverAnswer',
);

const MigDevice = z.object({ deviceIndex: z.number().int(), profile: z.string(), uuid: z.string() });
export const MigSummaryAnswer = ok(
  z.object({
    ...Probe,
    gpus: z.array(
      z.object({
        index: z.number().int(),
        name: z.string(),
        uuid: z.string(),
        migDevices: z.array(MigDevice),
      }),
    ),
    totals: z.object({
      gpus: z.number().int(),
      gpusWithMigDevices: z.number().int(),
      migDevices: z.number().int(),
      byProfile: z.record(z.string(), z.number().int()).openapi({ example: { '1g.10gb': 7 } }),
    }),
  }),
).openapi('MigSummaryAnswer');

const Placement = z.object({ start: z.number().int(), size: z.number().int() }).nullable();
export const MigInstancesAnswer = ok(
  z.object({
    ...Probe,
    migEnabled: z
      .boolean()
      .openapi({ description: 'false when nvidia-smi says no GPU on the host has MIG enabled' }),
    gpuInstances: z.array(
      z.object({
        gpu: z.number().int(),
        profile: z.string(),
        profileId: z.number().int(),
        instanceId: z.number().int(),
        placement: Placement,
      }),
    ),
    computeInstances: z.array(
      z.object({
        gpu: z.number().int(),
        gpuInstanceId: z.number().int(),
        profile: z.string(),
        profileId: z.number().int(),
        instanceId: z.number().int(),
        placement: Placement,
      }),
    ),
  }),
).openapi('MigInstancesAnswer');

export const TopologyAnswer = ok(
  z.object({
    ...Probe,
    devices: z.array(z.string()).openapi({ example: ['GPU0', 'GPU1', 'NIC0'] }),
    matrix: z
      .record(z.string(), z.record(z.string(), z.string()))
      .openapi({ description: 'matrix[a][b]: how a reaches b (X, NV#, PIX, PXB, PHB, NODE, SYS)' }),
    affinity: z.record(
      z.string(),
      z.object({ cpu: z.string().nullable(), numa: z.string().nullable(), gpuNumaId: z.string().nullable() }),
    ),
    nics: z.record(z.string(), z.string()).openapi({ description: 'NIC legend: NIC0 → mlx5_0' }),
    legend: z.record(z.string(), z.string()),
  }),
).openapi('TopologyAnswer');
