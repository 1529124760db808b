import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { wholeNumber, wholeNumberParam } from '../../../http/whole-number';
import { ok } from '../envelope';
import { ContainerName } from './common';

export const CreatePackageBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100).openapi({ example: 'A100 80GB — 30 hari' }),
    gpuKind: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .openapi({ example: 'A100-80GB', description: 'A GPU model or a MIG profile such as 1g.10gb' }),
    gpuCount: z.number().int().min(0).max(16),
    cpus: z.number().min(0.5).max(256),
    memoryGb: z.number().int().min(1).max(4096),
    diskGb: z.number().int().min(1).max(100_000),
    durationDays: z.number().int().min(1).max(366),
    priceIdr: z
      .number()
      .int()
      .min(10_000)
      .max(1_000_000_000_000)
      .openapi({ example: 1_500_000, description: 'Whole rupiah' }),
  })
  .openapi('CreatePackageRequest');
export const PaketIdParams = z.strictObject({
  paketId: z.string().regex(/^pkt_[a-z0-9]{10,40}$/, 'must be a pkt_ id'),
});
export const PaymentIdParams = z.strictObject({
  paymentId: z.string().regex(/^pay_[a-z0-9]{10,40}$/, 'must be a pay_ id'),
});
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
    containerName: ContainerName.optional().openapi({
      description:
        'A container of yours this payment extends (its paid period); without it the payment is for a new container',
    }),
  })
  .openapi('RecordPaymentRequest');
export const DecidePaymentBody = z
  .strictObject({
    status: z.enum(['approved', 'rejected']),
    reason: z.string().trim().min(1).max(1000).optional(),
  })
  .openapi('DecidePaymentRequest');
export const ListPaymentsQuery = z.strictObject({
  status: z.enum(['quoted', 'pending', 'approved', 'rejected', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: wholeNumberParam('bigint').min(0).default(0),
});
const Paket = z
  .object({
    id: z.string(),
    name: z.string(),
    gpuKind: z.string(),
    gpuCount: z.number(),
    cpus: z.number(),
    memoryGb: z.number(),
    diskGb: z.number(),
    durationDays: z.number(),
    priceIdr: z.number(),
    active: z.boolean(),
  })
  .openapi('Paket');
const Payment = z
  .object({
    id: z.string(),
    userId: z.string(),
    paketId: z.string(),
    amountIdr: z.number(),
    status: z.string(),
    quoteExpiresAt: z.string(),
    bankName: z.string().nullable(),
    senderName: z.string().nullable(),
    transferDate: z.string().nullable(),
    proofUrl: z.string().nullable(),
    extendsContainerId: z.string().nullable(),
    leaseExtendedAt: z.string().nullable(),
    rejectReason: z.string().nullable(),
    decidedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Payment');
export const PaketAnswer = ok(z.object({ paket: Paket })).openapi('PaketAnswer');
export const PaketList = ok(z.object({ paket: z.array(Paket) })).openapi('PaketList');
export const PaketDeleted = ok(z.object({ deleted: z.string(), retired: z.boolean() })).openapi(
  'PaketDeleted',
);
export const QuoteAnswer = ok(
  z.object({
    paymentId: z.string(),
    paketId: z.string(),
    priceIdr: z.number(),
    amountIdr: z.number(),
    uniqueCode: z.number(),
    expiresAt: z.string(),
  }),
).openapi('QuoteAnswer');
export const PaymentAnswer = ok(z.object({ payment: Payment })).openapi('PaymentAnswer');
export const PaymentList = ok(
  z.object({ payments: z.array(Payment), total: z.number().int().optional() }),
).openapi('PaymentList');

export { Deleted } from './common';
