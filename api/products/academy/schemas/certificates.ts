import { z } from 'zod';
import { ok, okList } from '../envelope';
import { Id, PageQuery } from './common';

const Status = z.enum(['Valid', 'Revoked']);
const Text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const CertificateParams = z.strictObject({
  userId: Id.openapi({ example: 1 }),
  certificateId: Id.openapi({ example: 30 }),
});
export const VerifyParams = z.strictObject({
  code: z
    .string()
    .regex(/^[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}$/, 'must be a code like ABCD-EFGH-JKMN')
    .openapi({ example: 'K7QH-2M9X-RT4C' }),
});
export const CertificateListQuery = z.strictObject({ ...PageQuery, status: Status.optional() });

export const NewCertificateBody = z.strictObject({
  programId: z.number().int().min(1).max(2147483647),
  enrollmentId: z.number().int().min(1).max(2147483647).optional(),
  learnerName: Text(100).optional(),
  programTitle: Text(200).optional(),
});
export const CertificateChangeBody = z
  .strictObject({
    status: Status.optional().openapi({ description: 'Revoked: it stays listed and verifies as revoked.' }),
    learnerName: Text(100).optional(),
    programTitle: Text(200).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: 'give status, learnerName or programTitle',
    path: ['status'],
  });

const Certificate = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    programId: z.number().int().nullable(),
    enrollmentId: z.number().int().nullable(),
    certificateNumber: z.string().openapi({ example: 'ACAD-2026-000030' }),
    verificationCode: z.string().openapi({ example: 'K7QH-2M9X-RT4C' }),
    learnerName: z.string(),
    programTitle: z.string(),
    issuedAt: z.string(),
    status: Status,
    downloadUrl: z.string().nullable().openapi({ description: 'The PDF; null while it is being made.' }),
    verifyUrl: z.string(),
  })
  .openapi('Certificate');

export const CertificateAnswer = ok(z.object({ certificate: Certificate }));
export const CertificateListAnswer = okList(z.object({ certificates: z.array(Certificate) }));
export const VerificationAnswer = ok(
  z.object({
    certificate: z.object({
      certificateNumber: z.string(),
      learnerName: z.string(),
      programTitle: z.string(),
      issuedAt: z.string(),
      status: Status,
      valid: z.boolean(),
    }),
  }),
);
