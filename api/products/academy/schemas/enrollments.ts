import { z } from 'zod';
import { ok, okList } from '../envelope';
import { Id, PageQuery } from './common';

export const ENROLLMENT_STATUSES = ['Unpaid', 'In Progress', 'Completed', 'Expired', 'Cancelled'] as const;
const Status = z.enum(ENROLLMENT_STATUSES);

export const EnrollmentParams = z.strictObject({
  userId: Id.openapi({ example: 1 }),
  enrollmentId: Id.openapi({ example: 1 }),
});
export const ModuleCompletionParams = EnrollmentParams.extend({ moduleId: Id.openapi({ example: 3 }) });

export const EnrollmentListQuery = z.strictObject({
  ...PageQuery,
  status: Status.optional(),
  programId: Id.optional(),
});

export const EnrollBody = z.strictObject({
  programId: z.number().int().min(1).max(2147483647).openapi({ example: 1 }),
});

export const EnrollmentChangeBody = z
  .strictObject({
    status: Status.optional().openapi({
      description:
        'Completed (of one In Progress) issues the certificate; In Progress of an Unpaid one marks its invoice paid by hand; Expired/Cancelled end it.',
    }),
    invoiceStatus: z.literal('Paid').optional().openapi({
      description: 'Marks the invoice paid by hand (reaches the workflow as a provider callback does).',
    }),
  })
  .refine((b) => b.status !== undefined || b.invoiceStatus !== undefined, {
    message: 'give status or invoiceStatus',
    path: ['status'],
  });

const Enrollment = z
  .object({
    id: z.number().int(),
    programId: z.number().int(),
    progressPercentage: z.number().openapi({ example: 80 }),
    status: Status,
    completedAt: z.string().nullable(),
    certificateId: z.number().int().optional(),
  })
  .openapi('Enrollment');

const Invoice = z
  .object({
    id: z.number().int(),
    virtualAccountNumber: z.string().openapi({ example: '8808279807578' }),
    amountIDR: z.number().int().openapi({ example: 150000 }),
    paymentDueDatetime: z.string().openapi({ example: '2026-12-05T21:00:00.000Z' }),
    status: z.enum(['Unpaid', 'Paid', 'Expired', 'Cancelled']),
    paidAt: z.string().nullable(),
  })
  .openapi('EnrollmentInvoice');

export const EnrollmentAnswer = ok(
  z.object({ enrollment: Enrollment.extend({ invoice: Invoice.nullable() }) }),
);
export const EnrolledAnswer = ok(z.object({ enrollment: Enrollment, invoice: Invoice }));
export const EnrollmentListAnswer = okList(z.object({ enrollments: z.array(Enrollment) }));
